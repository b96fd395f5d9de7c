using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Portal.Core.Errors;

namespace Portal.Core.Notebooks;

/// <summary>
/// Injects parameters into a notebook the way papermill does: a new code cell tagged <c>injected-parameters</c>
/// right after the cell tagged <c>parameters</c> (or first, when there is none), assigning each parameter as a
/// Python literal. A cell injected earlier is replaced, so a notebook can be run again.
/// </summary>
public static partial class ParameterInjector
{
    public const string ParametersTag = "parameters";
    public const string InjectedTag = "injected-parameters";

    private static readonly JsonSerializerOptions Output = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Inject(string notebookJson, IReadOnlyDictionary<string, JsonElement> parameters)
    {
        var errors = new ValidationErrors();
        foreach (var name in parameters.Keys.Where(n => !Identifier().IsMatch(n) || PythonKeywords.Contains(n)))
            errors.Add("parameters", $"'{name}' cannot be a parameter: names must be Python identifiers (letters, digits, '_', not starting with a digit, not a keyword).");
        errors.ThrowIfAny();

        var notebook = Parse(notebookJson);
        var cells = notebook["cells"]!.AsArray();
        for (var i = cells.Count - 1; i >= 0; i--)
            if (HasTag(cells[i], InjectedTag)) cells.RemoveAt(i);

        var anchor = -1;
        for (var i = 0; i < cells.Count; i++)
            if (HasTag(cells[i], ParametersTag)) { anchor = i; break; }

        var cell = new JsonObject
        {
            ["cell_type"] = "code",
            ["execution_count"] = null,
            ["metadata"] = new JsonObject { ["tags"] = new JsonArray(InjectedTag) },
            ["outputs"] = new JsonArray(),
            ["source"] = SourceLines(parameters),
        };
        // nbformat 4.5 and later require cell ids.
        if (notebook["nbformat"]?.GetValue<int>() == 4 && (notebook["nbformat_minor"]?.GetValue<int>() ?? 0) >= 5)
            cell["id"] = Guid.NewGuid().ToString("N")[..12];
        cells.Insert(anchor + 1, cell);
        return notebook.ToJsonString(Output);
    }

    /// <summary>Checks that a text is a notebook this portal can run (nbformat 4 with a list of cells).</summary>
    public static JsonObject Parse(string notebookJson)
    {
        JsonNode? node;
        try { node = JsonNode.Parse(notebookJson); }
        catch (JsonException e) { throw new ValidationFailedException("notebook", $"The notebook is not valid JSON: {JsonProblem.Describe(e)}."); }
        if (node is not JsonObject notebook || notebook["cells"] is not JsonArray)
            throw new ValidationFailedException("notebook", "The file is not a Jupyter notebook: it has no list of cells.");
        if (notebook["nbformat"] is not JsonValue v || !v.TryGetValue<int>(out var format) || format != 4)
            throw new ValidationFailedException("notebook", "Only nbformat 4 notebooks can be run; open and save it with a current Jupyter to convert it.");
        return notebook;
    }

    public static bool HasParametersCell(string notebookJson) =>
        Parse(notebookJson)["cells"]!.AsArray().Any(c => HasTag(c, ParametersTag));

    private static bool HasTag(JsonNode? cell, string tag) =>
        cell?["metadata"]?["tags"] is JsonArray tags && tags.Any(t => t is JsonValue v && v.TryGetValue<string>(out var s) && s == tag);

    private static JsonArray SourceLines(IReadOnlyDictionary<string, JsonElement> parameters)
    {
        var lines = new List<string> { "# Parameters\n" };
        lines.AddRange(parameters.Select(p => $"{p.Key} = {ToPython(p.Value)}\n"));
        lines[^1] = lines[^1].TrimEnd('\n');
        return new JsonArray(lines.Select(l => (JsonNode)JsonValue.Create(l)!).ToArray());
    }

    /// <summary>A JSON value as the Python literal that evaluates to the same value.</summary>
    public static string ToPython(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => PythonString(value.GetString()!),
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True => "True",
        JsonValueKind.False => "False",
        JsonValueKind.Null => "None",
        JsonValueKind.Array => "[" + string.Join(", ", value.EnumerateArray().Select(ToPython)) + "]",
        JsonValueKind.Object => "{" + string.Join(", ", value.EnumerateObject().Select(p => $"{PythonString(p.Name)}: {ToPython(p.Value)}")) + "}",
        _ => throw new ArgumentOutOfRangeException(nameof(value), value.ValueKind, "Not a JSON value."),
    };

    private static string PythonString(string s)
    {
        var sb = new StringBuilder("\"");
        foreach (var rune in s.EnumerateRunes())
        {
            switch (rune.Value)
            {
                case '\\': sb.Append("\\\\"); break;
                case '"': sb.Append("\\\""); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case < 0x20 or 0x7f: sb.Append("\\x").Append(rune.Value.ToString("x2", CultureInfo.InvariantCulture)); break;
                // Line and paragraph separators end a line in Python source; escape them.
                case 0x2028 or 0x2029: sb.Append("\\u").Append(rune.Value.ToString("x4", CultureInfo.InvariantCulture)); break;
                default: sb.Append(rune.ToString()); break;
            }
        }
        return sb.Append('"').ToString();
    }

    private static readonly HashSet<string> PythonKeywords =
    [
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif", "else",
        "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise",
        "return", "try", "while", "with", "yield",
    ];

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex Identifier();
}
