namespace Portal.Core.Names;

/// <summary>
/// Rules for the names of everything the portal stores. They match DNS labels (RFC 1123) so a name
/// can become a container, service or Kubernetes object name without translation.
/// </summary>
public static class NameRules
{
    public const int MaxLength = 63;

    /// <summary>Returns null when <paramref name="name"/> is valid, else one sentence naming the broken rule and the name.</summary>
    public static string? Check(string? name, string what = "name")
    {
        if (string.IsNullOrEmpty(name)) return $"The {what} is required.";
        var shown = Show(name);
        if (name.Length > MaxLength)
            return $"The {what} {shown} is {name.Length} characters long; at most {MaxLength} are allowed.";
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-') continue;
            var hint = c is >= 'A' and <= 'Z' ? " (use lowercase)" : "";
            return $"The {what} {shown} contains '{Printable(c)}' at position {i + 1}; only lowercase letters, digits and dashes are allowed{hint}.";
        }
        if (name[0] == '-' || name[^1] == '-')
            return $"The {what} {shown} must start and end with a letter or digit, not a dash.";
        return null;
    }

    public static bool IsValid(string? name) => Check(name) is null;

    /// <summary>
    /// <paramref name="text"/> made into a name (or an image tag): lowercase, every run of other characters a dash, at most
    /// <see cref="MaxLength"/>. Empty when nothing is left.
    /// </summary>
    public static string Slug(string text)
    {
        var slug = new System.Text.StringBuilder(text.Length);
        foreach (var c in text.ToLowerInvariant())
        {
            var keep = c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-';
            if (keep) slug.Append(c);
            else if (slug.Length == 0 || slug[^1] != '-') slug.Append('-');
        }
        var trimmed = slug.ToString().Trim('-');
        return trimmed.Length <= MaxLength ? trimmed : trimmed[..MaxLength].TrimEnd('-');
    }

    private static string Show(string name) => "'" + string.Concat(name.Select(Printable)) + "'";

    private static string Printable(char c) => char.IsControl(c) || char.IsWhiteSpace(c) && c != ' '
        ? $"\\u{(int)c:x4}"
        : c.ToString();
}
