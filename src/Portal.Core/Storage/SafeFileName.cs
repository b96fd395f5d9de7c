using System.Globalization;
using System.Text;
using Portal.Core.Errors;

namespace Portal.Core.Storage;

/// <summary>
/// Decides whether a name given by a user (an upload's file name, a file spec) may become one path
/// segment in the file store. Names are never silently rewritten: a bad one is refused with the reason.
/// </summary>
public static class SafeFileName
{
    public const int MaxBytes = 255;

    /// <summary>Returns null when the name is safe, else a sentence saying what is wrong.</summary>
    public static string? Check(string? name)
    {
        if (string.IsNullOrWhiteSpace(name)) return "A file name is required.";
        var shown = Escape(name);
        if (name is "." or "..") return $"'{shown}' is not a file name.";
        if (name.IndexOfAny(['/', '\\']) >= 0) return $"The file name '{shown}' contains a path separator; give a name without folders.";
        if (!name.IsNormalized(NormalizationForm.FormC))
            return $"The file name '{shown}' is not in Unicode normal form C; rename it (it may contain combining characters).";
        if (char.IsWhiteSpace(name[0]) || char.IsWhiteSpace(name[^1])) return $"The file name '{shown}' starts or ends with a space.";
        foreach (var rune in name.EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            if (category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate
                or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator
                or UnicodeCategory.ParagraphSeparator)
                return $"The file name '{shown}' contains the invisible or control character U+{rune.Value:X4}; rename the file.";
        }
        if (Encoding.UTF8.GetByteCount(name) > MaxBytes) return $"The file name '{shown}' is longer than {MaxBytes} bytes.";
        return null;
    }

    public static string Require(string? name, string field = "file")
    {
        if (Check(name) is { } problem) throw new ValidationFailedException(field, problem);
        return name!;
    }

    private static string Escape(string name)
    {
        var sb = new StringBuilder();
        foreach (var rune in name.EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            if (category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.OtherNotAssigned or UnicodeCategory.Surrogate)
                sb.Append(CultureInfo.InvariantCulture, $"\\u{rune.Value:X4}");
            else sb.Append(rune.ToString());
        }
        return sb.ToString();
    }
}
