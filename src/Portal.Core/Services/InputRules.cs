using System.Text.Json;
using System.Text.RegularExpressions;
using Portal.Core.Errors;
using Portal.Core.Names;

namespace Portal.Core.Services;

/// <summary>Checks shared by the use cases: names, descriptions, repository addresses, JSON details.</summary>
public static partial class InputRules
{
    public const int MaxDescLength = 2000;

    public static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    public static void Name(ValidationErrors errors, string field, string? name, string what)
    {
        if (NameRules.Check(name, what) is { } problem) errors.Add(field, problem);
    }

    public static void Desc(ValidationErrors errors, string field, string? desc)
    {
        if (desc?.Length > MaxDescLength) errors.Add(field, $"The description is {desc.Length} characters long; at most {MaxDescLength} are allowed.");
    }

    public static void GitRepo(ValidationErrors errors, string field, string? repo)
    {
        if (repo is not null && !GitUrl().IsMatch(repo))
            errors.Add(field, $"'{repo}' is not a git repository address; use https://host/path.git, ssh://user@host/path or user@host:path.");
        // A token in the address would be shown to every viewer of the project and written into build logs.
        else if (repo is not null && Uri.TryCreate(repo, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.UserInfo.Length > 0)
            errors.Add(field, "The address carries a user name or token; every viewer of the project would see it. Remove it from the " +
                "address and keep it in a git credential of the vault, which builds use without showing it.");
    }

    public static void DockerRepo(ValidationErrors errors, string field, string? repo)
    {
        if (repo is not null && !DockerReference().IsMatch(repo))
            errors.Add(field, $"'{repo}' is not an image repository; use lowercase like registry.example.com:5000/team/image (without a tag).");
    }

    public static void AbsolutePath(ValidationErrors errors, string field, string? path)
    {
        if (path is null) return;
        if (!Path.IsPathRooted(path) || path.Split('/').Contains(".."))
            errors.Add(field, $"'{path}' must be an absolute path on the portal's host without '..' (e.g. /home/me/my-project).");
    }

    /// <summary>Parses free-form details: a JSON object, or nothing.</summary>
    public static Dictionary<string, JsonElement> Details(ValidationErrors errors, string field, string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return [];
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                errors.Add(field, "Details must be a JSON object, like {\"source\": \"crm export\"}.");
                return [];
            }
            return doc.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
        }
        catch (JsonException e)
        {
            errors.Add(field, $"Details are not valid JSON: {JsonProblem.Describe(e)}.");
            return [];
        }
    }

    /// <summary>Variable names users give their work: letters, digits and '_', not starting with a digit, none of the portal's prefixes.</summary>
    public static void EnvNames(ValidationErrors errors, string field, IEnumerable<string> names, params string[] reserved)
    {
        foreach (var key in names.Where(k => !EnvName().IsMatch(k) || reserved.Any(r => k.StartsWith(r, StringComparison.Ordinal))))
            errors.Add(field, $"'{key}' cannot be a variable name: use letters, digits and '_' (not starting with a digit); " +
                $"{string.Join(" and ", reserved)} names are the portal's.");
    }

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvName();

    [GeneratedRegex(@"^((https?|ssh|git|file)://\S+|[\w.-]+@[\w.-]+:\S+)$")]
    private static partial Regex GitUrl();

    [GeneratedRegex(@"^(?:[a-zA-Z0-9.-]+(?::\d+)?/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$")]
    private static partial Regex DockerReference();
}
