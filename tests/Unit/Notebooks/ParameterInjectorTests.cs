using System.Text.Json;
using System.Text.Json.Nodes;
using Portal.Core.Errors;
using Portal.Core.Notebooks;
using Portal.Tests.Unit.Support;

namespace Portal.Tests.Unit.Notebooks;

public class ParameterInjectorTests
{
    private static string Notebook(params string[] cells) =>
        "{\"cells\": [" + string.Join(",", cells) + "], \"metadata\": {\"kernelspec\": {\"name\": \"python3\"}}, \"nbformat\": 4, \"nbformat_minor\": 5}";

    private static string Code(string source, string? tag = null, string outputs = "[]") => new JsonObject
    {
        ["cell_type"] = "code",
        ["execution_count"] = 3,
        ["id"] = Guid.NewGuid().ToString("N"),
        ["metadata"] = tag is null ? new JsonObject() : new JsonObject { ["tags"] = new JsonArray(tag) },
        ["outputs"] = JsonNode.Parse(outputs),
        ["source"] = source,
    }.ToJsonString();

    private static Dictionary<string, JsonElement> Params(string json) =>
        JsonDocument.Parse(json).RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());

    private static JsonArray Cells(string notebook) => JsonNode.Parse(notebook)!["cells"]!.AsArray();

    private static string Source(JsonNode cell) => cell["source"] is JsonArray lines ? string.Concat(lines.Select(l => l!.GetValue<string>())) : cell["source"]!.GetValue<string>();

    [Fact]
    public void The_injected_cell_follows_the_parameters_cell()
    {
        var result = ParameterInjector.Inject(Notebook(Code("import os"), Code("alpha = 1", "parameters"), Code("print(alpha)")), Params("""{"alpha": 2}"""));
        var cells = Cells(result);
        Assert.Equal(4, cells.Count);
        Assert.Equal("injected-parameters", cells[2]!["metadata"]!["tags"]![0]!.GetValue<string>());
        Assert.Equal("# Parameters\nalpha = 2", Source(cells[2]!));
        Assert.Equal("print(alpha)", Source(cells[3]!));
        Assert.NotNull(cells[2]!["id"]);
    }

    [Fact]
    public void Without_a_parameters_cell_the_injected_cell_comes_first()
    {
        var cells = Cells(ParameterInjector.Inject(Notebook(Code("print(alpha)")), Params("""{"alpha": 2}""")));
        Assert.Equal("# Parameters\nalpha = 2", Source(cells[0]!));
        Assert.Equal("print(alpha)", Source(cells[1]!));
    }

    [Fact]
    public void Injecting_again_replaces_the_earlier_injection()
    {
        var once = ParameterInjector.Inject(Notebook(Code("a = 1", "parameters")), Params("""{"a": 2}"""));
        var twice = ParameterInjector.Inject(once, Params("""{"a": 3}"""));
        var cells = Cells(twice);
        Assert.Equal(2, cells.Count);
        Assert.Equal("# Parameters\na = 3", Source(cells[1]!));
    }

    [Fact]
    public void Other_cells_and_their_outputs_are_kept_as_they_were()
    {
        var outputs = """[{"output_type": "stream", "name": "stdout", "text": ["héllo 🌸\n"]}]""";
        var result = ParameterInjector.Inject(Notebook(Code("print('héllo 🌸')", outputs: outputs), Code("x = 1", "parameters")), Params("""{"x": 5}"""));
        var first = Cells(result)[0]!;
        Assert.Equal("héllo 🌸\n", first["outputs"]![0]!["text"]![0]!.GetValue<string>());
        Assert.Equal(3, first["execution_count"]!.GetValue<int>());
        // Accented text stays readable in the file; astral characters are written as JSON escapes, which Jupyter reads back the same.
        Assert.Contains("héllo", result);
    }

    [SkippableFact]
    public async Task Values_become_python_literals_that_evaluate_to_the_same_json()
    {
        RealPython.Require();
        const string json = """
            {"s": "quote \" backslash \\ newline \n tab \t été 🌸 \u2028 end", "i": 42, "neg": -7, "f": 0.125, "e": 1e-5,
             "t": true, "no": false, "none": null, "list": [1, "two", [3.5, null]], "obj": {"k": {"nested": "ü"}, "n": 1}}
            """;
        var cells = Cells(ParameterInjector.Inject(Notebook(Code("pass", "parameters")), Params(json)));
        var source = Source(cells[1]!);
        var printed = await RealPython.RunAsync(source + "\nimport json\nprint(json.dumps({k: v for k, v in dict(globals()).items() if not k.startswith('_') and k != 'json'}))");
        var expected = JsonNode.Parse(json)!;
        var actual = JsonNode.Parse(printed)!;
        Assert.True(JsonNode.DeepEquals(expected, actual), $"expected {expected.ToJsonString()}\nactual   {actual.ToJsonString()}");
    }

    [Theory]
    [InlineData("1abc")]
    [InlineData("with space")]
    [InlineData("class")]
    [InlineData("a-b")]
    public void Names_that_are_not_python_identifiers_are_refused(string name)
    {
        var e = Assert.Throws<ValidationFailedException>(() => ParameterInjector.Inject(Notebook(Code("pass")), new Dictionary<string, JsonElement> { [name] = JsonDocument.Parse("1").RootElement }));
        Assert.Contains($"'{name}' cannot be a parameter", e.Errors["parameters"][0]);
    }

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("""{"nbformat": 4}""", "no list of cells")]
    [InlineData("""{"cells": [], "nbformat": 3}""", "Only nbformat 4")]
    public void Things_that_are_not_runnable_notebooks_are_refused(string text, string reason) =>
        Assert.Contains(reason, Assert.Throws<ValidationFailedException>(() => ParameterInjector.Inject(text, new Dictionary<string, JsonElement>())).Message);

    [Fact]
    public void The_example_iris_notebook_has_a_parameters_cell()
    {
        var path = Path.Combine(RepoRoot.Path, "deploy", "examples", "iris", "train.ipynb");
        Assert.True(ParameterInjector.HasParametersCell(File.ReadAllText(path)));
    }
}
