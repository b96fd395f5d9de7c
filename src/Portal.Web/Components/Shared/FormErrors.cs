using System.Text.Json;
using Portal.Core.Errors;

namespace Portal.Web.Components.Shared;

/// <summary>
/// Field errors of a form as the use cases report them, shown next to their fields; errors for which the
/// page has no field (<see cref="General"/>) are shown at the top so none is lost.
/// </summary>
public sealed class FormErrors
{
    private IReadOnlyDictionary<string, string[]> _errors = new Dictionary<string, string[]>();
    private readonly HashSet<string> _shown = new(StringComparer.Ordinal);

    public string? General { get; private set; }

    public bool Any => _errors.Count > 0 || General is not null;

    public void Clear()
    {
        _errors = new Dictionary<string, string[]>();
        General = null;
    }

    public void Set(PortalException e)
    {
        Clear();
        if (e is ValidationFailedException v) _errors = v.Errors;
        else General = e.Message;
    }

    /// <summary>Shows an API error response (RFC 7807 problem details) the browser received, e.g. from an upload.</summary>
    public void SetFromProblem(int status, string body)
    {
        Clear();
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object)
            {
                _errors = errors.EnumerateObject().ToDictionary(e => e.Name, e => e.Value.EnumerateArray().Select(m => m.GetString() ?? "").ToArray());
                return;
            }
            General = root.TryGetProperty("detail", out var detail) ? detail.GetString() : root.TryGetProperty("title", out var title) ? title.GetString() : null;
        }
        catch (JsonException) { }
        General ??= status switch
        {
            <= 0 => string.IsNullOrWhiteSpace(body) ? "The upload did not complete." : body,
            413 => "The upload is larger than the portal accepts (file_store.max_upload_mb).",
            _ => $"The portal answered {status}: {body}",
        };
    }

    /// <summary>Declares the fields the form shows, so the rest go to <see cref="Unplaced"/>.</summary>
    public FormErrors Fields(params string[] fields)
    {
        _shown.UnionWith(fields);
        return this;
    }

    public IReadOnlyList<string> For(string field) => field.EndsWith('*')
        ? _errors.Where(e => e.Key.StartsWith(field[..^1], StringComparison.Ordinal)).SelectMany(e => e.Value).ToList()
        : _errors.TryGetValue(field, out var m) ? m : [];

    /// <summary>Whether <paramref name="field"/> has an error (a MudBlazor input's Error).</summary>
    public bool Has(string field) => For(field).Count > 0;

    /// <summary>The errors of <paramref name="field"/> as one text (a MudBlazor input's ErrorText).</summary>
    public string Of(string field) => string.Join(" ", For(field));

    /// <summary>Messages for fields the form does not show next to an input.</summary>
    public IEnumerable<string> Unplaced => _errors
        .Where(e => !_shown.Any(f => f.EndsWith('*') ? e.Key.StartsWith(f[..^1], StringComparison.Ordinal) : e.Key == f))
        .SelectMany(e => e.Value);
}
