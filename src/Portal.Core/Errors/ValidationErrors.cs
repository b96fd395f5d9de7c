namespace Portal.Core.Errors;

/// <summary>Collects field errors while a use case checks its input, then throws them all at once.</summary>
public sealed class ValidationErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool IsEmpty => _errors.Count == 0;

    public bool Has(string field) => _errors.ContainsKey(field);

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list)) _errors[field] = list = [];
        list.Add(message);
    }

    /// <summary>Adds what a nested check refused, leaving out the fields <paramref name="except"/> already covers.</summary>
    public void AddAll(ValidationFailedException refused, string? except = null)
    {
        foreach (var (field, messages) in refused.Errors.Where(f => f.Key != except))
            foreach (var message in messages) Add(field, message);
    }

    public void ThrowIfAny()
    {
        if (!IsEmpty)
            throw new ValidationFailedException(_errors.ToDictionary(e => e.Key, e => e.Value.ToArray()));
    }
}
