namespace Portal.Core.Errors;

/// <summary>Input broke one or more rules; <see cref="Errors"/> maps each field to what is wrong with it.</summary>
public sealed class ValidationFailedException : PortalException
{
    public ValidationFailedException(IReadOnlyDictionary<string, string[]> errors)
        : base(string.Join(" ", errors.SelectMany(e => e.Value)))
        => Errors = errors;

    public ValidationFailedException(string field, string message)
        : this(new Dictionary<string, string[]> { [field] = [message] }) { }

    public IReadOnlyDictionary<string, string[]> Errors { get; }

    /// <summary>Each problem with its field, in one line (where no form shows the fields: a sweep's or schedule's record).</summary>
    public string ByField => string.Join(" ", Errors.SelectMany(f => f.Value.Select(m => $"{f.Key}: {m}")));
}
