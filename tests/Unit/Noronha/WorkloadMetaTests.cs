using System.Text.Json;
using Portal.Core.Containers;
using Portal.Core.Entities;

namespace Portal.Tests.Unit.Noronha;

/// <summary>PORTAL_META: what a workload is told about itself, and the bound that keeps it one environment variable.</summary>
public sealed class WorkloadMetaTests
{
    private static readonly Model Iris = new() { Name = "iris-clf" };

    [Fact]
    public void A_training_is_told_its_project_parameters_datasets_and_pretrained_version()
    {
        var project = new Project { Name = "p", Models = [Iris, new Model { Name = "aux" }] };
        var dataset = new Dataset { Name = "d1", Model = Iris, Details = new() { ["source"] = JsonSerializer.SerializeToElement("x") }, Files = [new StoredFile { Name = "a.csv" }] };
        var pretrained = new ModelVersion { Name = "3", Model = Iris, TrainingName = "t0", DatasetName = "d0" };
        var json = JsonDocument.Parse(WorkloadMeta.ForTraining(project, "t1", new Dictionary<string, JsonElement> { ["n"] = JsonSerializer.SerializeToElement(5) },
            [dataset], pretrained)).RootElement;

        Assert.Equal("training", json.GetProperty("purpose").GetString());
        Assert.Equal(["aux", "iris-clf"], json.GetProperty("project").GetProperty("models").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal(5, json.GetProperty("training").GetProperty("parameters").GetProperty("n").GetInt32());
        var d = json.GetProperty("datasets")[0];
        Assert.Equal(("iris-clf", "d1", "x", "a.csv"), (d.GetProperty("model").GetString(), d.GetProperty("name").GetString(),
            d.GetProperty("details").GetProperty("source").GetString(), d.GetProperty("files")[0].GetString()));
        var v = json.GetProperty("versions")[0];
        Assert.Equal(("3", "pretrained", "t0"), (v.GetProperty("name").GetString(), v.GetProperty("role").GetString(), v.GetProperty("training").GetString()));
    }

    [Fact]
    public void Details_too_large_for_one_variable_are_left_out_and_say_where_to_read_them()
    {
        var big = new string('x', WorkloadMeta.MaxChars);
        var version = new ModelVersion { Name = "1", Model = Iris, Details = new() { ["blob"] = JsonSerializer.SerializeToElement(big) } };
        var text = WorkloadMeta.ForDeployment(new Project { Name = "p", Models = [Iris] }, "api", version);
        Assert.True(text.Length <= WorkloadMeta.MaxChars, $"{text.Length} characters");
        var details = JsonDocument.Parse(text).RootElement.GetProperty("versions")[0].GetProperty("details");
        Assert.Contains("read them from the API", details.GetProperty("omitted").GetString());
        Assert.Equal("deployed", JsonDocument.Parse(text).RootElement.GetProperty("versions")[0].GetProperty("role").GetString());
    }
}
