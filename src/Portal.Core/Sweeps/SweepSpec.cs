using System.Globalization;
using System.Text.Json;
using Portal.Core.Entities;
using Portal.Core.Errors;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Portal.Core.Sweeps;

/// <summary>
/// The search a sweep runs, parsed from a small YAML or JSON text and expanded into its trials:
/// <code>
/// method: grid                # grid (every combination) or random
/// trials: 20                  # random only: how many trainings (10 by default)
/// seed: 7                     # random only: the same seed gives the same trials
/// parameters:
///   n_estimators: [10, 50, 100]             # choices
///   max_depth: {min: 2, max: 8, step: 3}    # a range: grid takes 2, 5, 8; random draws whole numbers when all are whole
///   learning_rate: {min: 0.001, max: 0.1, log: true}   # random only: drawn on a log scale
/// </code>
/// </summary>
public sealed record SweepSpec(SweepMethod Method, IReadOnlyList<SweepParameter> Parameters, int RandomTrials, int Seed)
{
    public const string Field = "spec";
    public const string Example = "method: grid\nparameters:\n  n_estimators: [10, 50, 100]\n  max_depth: {min: 2, max: 8, step: 3}\n";
    private const int MaxParameters = 20;
    private const int MaxChoices = 100;
    /// <summary>The longest spec kept: it is stored with the sweep and shown on its page.</summary>
    public const int MaxLength = 20_000;

    /// <summary>Every trial's parameters, in launch order (grid: the last parameter varies fastest).</summary>
    public List<Dictionary<string, JsonElement>> Trials()
    {
        if (Method == SweepMethod.Random)
        {
            var random = new Random(Seed);
            return [.. Enumerable.Range(0, RandomTrials).Select(_ => Parameters.ToDictionary(p => p.Name, p => p.Draw(random)))];
        }
        var trials = new List<Dictionary<string, JsonElement>> { new() };
        foreach (var parameter in Parameters)
            trials = [.. trials.SelectMany(t => parameter.GridValues().Select(v => new Dictionary<string, JsonElement>(t) { [parameter.Name] = v }))];
        return trials;
    }

    /// <summary>Parses <paramref name="text"/>; every problem goes to <paramref name="errors"/> under <see cref="Field"/>, and null comes back.</summary>
    public static SweepSpec? Parse(string? text, ValidationErrors errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            errors.Add(Field, $"Describe the search, for example:\n{Example}");
            return null;
        }
        if (text.Length > MaxLength)
        {
            errors.Add(Field, $"The spec has {text.Length:N0} characters; at most {MaxLength:N0} are kept.");
            return null;
        }
        var stream = new YamlStream();
        try { stream.Load(new StringReader(text)); }
        catch (YamlException e)
        {
            errors.Add(Field, $"Line {e.Start.Line}, column {e.Start.Column}: this is neither valid YAML nor JSON: {(e.InnerException?.Message ?? e.Message).Trim()}");
            return null;
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            errors.Add(Field, $"The spec is a mapping with 'method' and 'parameters', for example:\n{Example}");
            return null;
        }
        var problems = new List<string>();
        var method = SweepMethod.Grid;
        int trials = 10, seed = 0;
        List<SweepParameter> parameters = [];
        foreach (var (keyNode, value) in root.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? "";
            switch (key)
            {
                case "method":
                    var m = Scalar(value);
                    if (m is "grid") method = SweepMethod.Grid;
                    else if (m is "random") method = SweepMethod.Random;
                    else problems.Add($"method: '{m}' is not a method; use grid or random.");
                    break;
                case "trials":
                    if (!int.TryParse(Scalar(value), NumberStyles.None, CultureInfo.InvariantCulture, out trials) || trials < 1 || trials > Sweep.MaxTrials)
                        problems.Add($"trials: give a whole number from 1 to {Sweep.MaxTrials}.");
                    break;
                case "seed":
                    if (!int.TryParse(Scalar(value), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out seed)) problems.Add("seed: give a whole number.");
                    break;
                case "parameters":
                    parameters = ParseParameters(value, problems);
                    break;
                default:
                    problems.Add($"'{key}' is not part of a spec; it has method, trials, seed and parameters.");
                    break;
            }
        }
        if (parameters.Count == 0 && !problems.Any(p => p.StartsWith("parameters", StringComparison.Ordinal)))
            problems.Add("parameters: name at least one parameter with its choices or range.");
        if (method == SweepMethod.Grid)
        {
            foreach (var p in parameters.Where(p => p.Choices is null && p.Step is null))
                problems.Add($"parameters.{p.Name}: a grid needs choices or a range with a step.");
            if (root.Children.Keys.Any(k => (k as YamlScalarNode)?.Value == "trials"))
                problems.Add("trials: a grid runs every combination; trials is for method: random.");
            var combinations = parameters.Where(p => p.Choices is not null || p.Step is not null)
                .Aggregate(1.0, (product, p) => product * p.GridCount);
            if (combinations > Sweep.MaxTrials)
                problems.Add($"The grid has {combinations:0} combinations; a sweep runs at most {Sweep.MaxTrials} trainings. Use fewer values, or method: random.");
        }
        foreach (var p in problems) errors.Add(Field, p);
        return problems.Count == 0 ? new SweepSpec(method, parameters, trials, seed) : null;
    }

    private static List<SweepParameter> ParseParameters(YamlNode node, List<string> problems)
    {
        if (node is not YamlMappingNode map)
        {
            problems.Add("parameters: a mapping of each parameter's name to its choices ([1, 2]) or range ({min: 1, max: 9, step: 2}).");
            return [];
        }
        if (map.Children.Count > MaxParameters) problems.Add($"parameters: at most {MaxParameters} parameters.");
        var list = new List<SweepParameter>();
        foreach (var (keyNode, value) in map.Children)
        {
            var name = (keyNode as YamlScalarNode)?.Value ?? "";
            if (!IsIdentifier(name))
            {
                problems.Add($"parameters: '{name}' is not a Python variable name (letters, digits and '_', not starting with a digit).");
                continue;
            }
            if (value is YamlSequenceNode sequence)
            {
                var choices = sequence.Children.Select(ToJson).ToList();
                if (choices.Count is 0 or > MaxChoices) problems.Add($"parameters.{name}: give from 1 to {MaxChoices} choices.");
                else if (choices.Any(c => c is null)) problems.Add($"parameters.{name}: choices are numbers, text, true or false.");
                else list.Add(new SweepParameter(name, [.. choices.Select(c => c!.Value)], null, null, null, false));
            }
            else if (value is YamlMappingNode range && RangeOf(name, range, problems) is { } parameter) list.Add(parameter);
            else if (value is not YamlMappingNode) problems.Add($"parameters.{name}: give a list of choices or a range {{min, max, step}}.");
        }
        return list;
    }

    private static SweepParameter? RangeOf(string name, YamlMappingNode range, List<string> problems)
    {
        double? min = null, max = null, step = null;
        var log = false;
        foreach (var (keyNode, value) in range.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? "";
            var text = Scalar(value);
            if (key == "log")
            {
                log = text is "true";
                if (text is not ("true" or "false")) problems.Add($"parameters.{name}.log: true or false.");
                continue;
            }
            if (key is not ("min" or "max" or "step"))
            {
                problems.Add($"parameters.{name}: '{key}' is not part of a range; it has min, max, step and log.");
                continue;
            }
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number))
            {
                problems.Add($"parameters.{name}.{key}: give a number.");
                continue;
            }
            if (key == "min") min = number;
            else if (key == "max") max = number;
            else step = number;
        }
        if (min is null || max is null)
        {
            problems.Add($"parameters.{name}: a range needs min and max.");
            return null;
        }
        if (min > max) problems.Add($"parameters.{name}: min ({min}) is more than max ({max}).");
        else if (step is <= 0) problems.Add($"parameters.{name}.step: must be more than 0.");
        else if (step is { } s && (max - min) / s + 1 > MaxChoices) problems.Add($"parameters.{name}: the step makes more than {MaxChoices} values.");
        else if (log && min <= 0) problems.Add($"parameters.{name}: a log scale needs min above 0.");
        else if (log && step is not null) problems.Add($"parameters.{name}: a log range is drawn at random and takes no step.");
        else return new SweepParameter(name, null, min, max, step, log);
        return null;
    }

    private static string? Scalar(YamlNode node) => (node as YamlScalarNode)?.Value?.Trim();

    /// <summary>A YAML scalar as JSON: numbers stay numbers, true/false booleans, the rest text (quoted scalars stay text).</summary>
    private static JsonElement? ToJson(YamlNode node)
    {
        if (node is not YamlScalarNode { Value: { } text } scalar) return null;
        if (scalar.Style is ScalarStyle.Plain)
        {
            if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole)) return JsonSerializer.SerializeToElement(whole);
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
                return JsonSerializer.SerializeToElement(number);
            if (text is "true" or "false") return JsonSerializer.SerializeToElement(text == "true");
        }
        return JsonSerializer.SerializeToElement(text);
    }

    private static bool IsIdentifier(string name) =>
        name.Length is > 0 and <= 64 && (char.IsAsciiLetter(name[0]) || name[0] == '_') && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}

/// <summary>One searched parameter: its choices, or a range (with a step for a grid; drawn, maybe on a log scale, at random).</summary>
public sealed record SweepParameter(string Name, IReadOnlyList<JsonElement>? Choices, double? Min, double? Max, double? Step, bool Log)
{
    private bool Whole => Min % 1 == 0 && Max % 1 == 0 && (Step ?? 1) % 1 == 0;

    public double GridCount => Choices?.Count ?? Math.Floor((Max!.Value - Min!.Value) / Step!.Value + 1e-9) + 1;

    public IEnumerable<JsonElement> GridValues() => Choices ?? Enumerable.Range(0, (int)GridCount).Select(i => Number(Min!.Value + i * Step!.Value));

    public JsonElement Draw(Random random)
    {
        if (Choices is not null) return Choices[random.Next(Choices.Count)];
        var (min, max) = (Min!.Value, Max!.Value);
        if (Step is { } step) return Number(min + random.Next((int)GridCount) * step);
        if (Whole && !Log) return Number(Math.Floor(min + random.NextDouble() * (max - min + 1)) is var v && v > max ? max : v);
        var drawn = Log ? Math.Exp(Math.Log(min) + random.NextDouble() * (Math.Log(max) - Math.Log(min))) : min + random.NextDouble() * (max - min);
        return JsonSerializer.SerializeToElement(drawn);
    }

    /// <summary>Whole numbers of a whole range as integers (a notebook's range(n) needs an int), others rounded to 12 digits.</summary>
    private JsonElement Number(double value) =>
        Whole ? JsonSerializer.SerializeToElement((long)Math.Round(value)) : JsonSerializer.SerializeToElement(Math.Round(value, 12));
}
