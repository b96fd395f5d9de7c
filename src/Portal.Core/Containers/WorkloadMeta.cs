using System.Text.Json;
using System.Text.Json.Nodes;
using Portal.Core.Entities;

namespace Portal.Core.Containers;

/// <summary>
/// What a workload may know about itself, as JSON in <see cref="EnvVar"/>: its project and models, its training and
/// parameters, the datasets and model versions mounted for it with their details. Noronha's toolkit reads the like
/// from files it mounts (<c>dataset_meta</c>, <c>movers_meta</c>, <c>train_meta</c>); an environment variable reaches
/// every manager and node the same way. The folders are not in it: the toolkit finds them under the mount variables.
/// </summary>
public static class WorkloadMeta
{
    public const string EnvVar = "PORTAL_META";

    /// <summary>Past this the details are left out (the variable is one argument string, at most 128 KB on Linux).</summary>
    public const int MaxChars = 64 * 1024;

    public static string ForTraining(Project project, string training, IReadOnlyDictionary<string, JsonElement> parameters,
        IReadOnlyList<Dataset> datasets, ModelVersion? pretrained) =>
        Write(details => new JsonObject
        {
            ["purpose"] = "training",
            ["project"] = Of(project),
            ["training"] = new JsonObject { ["name"] = training, ["parameters"] = JsonSerializer.SerializeToNode(parameters) },
            ["datasets"] = new JsonArray([.. datasets.Select(d => Of(d, details))]),
            ["versions"] = new JsonArray([.. pretrained is null ? [] : new[] { Of(pretrained, "pretrained", details) }]),
        });

    public static string ForDeployment(Project project, string deployment, ModelVersion version) =>
        Write(details => new JsonObject
        {
            ["purpose"] = "deployment",
            ["project"] = Of(project),
            ["deployment"] = new JsonObject { ["name"] = deployment },
            ["datasets"] = new JsonArray(),
            ["versions"] = new JsonArray(Of(version, "deployed", details)),
        });

    /// <summary>An IDE session: no project; the versions are under <c>$PORTAL_MODELS_DIR/model/version</c>.</summary>
    public static string ForIde(string session, IReadOnlyList<Dataset> datasets, IReadOnlyList<ModelVersion> versions) =>
        Write(details => new JsonObject
        {
            ["purpose"] = "ide",
            ["project"] = new JsonObject { ["name"] = null, ["models"] = new JsonArray() },
            ["ide"] = new JsonObject { ["name"] = session },
            ["datasets"] = new JsonArray([.. datasets.Select(d => Of(d, details))]),
            ["versions"] = new JsonArray([.. versions.Select(v => Of(v, "mounted", details))]),
        });

    private static string Write(Func<bool, JsonObject> make)
    {
        var json = make(true).ToJsonString();
        return json.Length <= MaxChars ? json : make(false).ToJsonString();
    }

    private static JsonObject Of(Project p) => new()
    {
        ["name"] = p.Name,
        ["models"] = new JsonArray([.. p.Models.Select(m => JsonValue.Create(m.Name)).OrderBy(m => m!.GetValue<string>())]),
    };

    private static JsonObject Of(Dataset d, bool details) => new()
    {
        ["model"] = d.Model?.Name,
        ["name"] = d.Name,
        ["details"] = Details(d.Details, details),
        ["files"] = new JsonArray([.. d.Files.Select(f => JsonValue.Create(f.Name))]),
    };

    private static JsonObject Of(ModelVersion v, string role, bool details) => new()
    {
        ["model"] = v.Model?.Name,
        ["name"] = v.Name,
        ["role"] = role,
        ["training"] = v.TrainingName,
        ["dataset"] = v.DatasetName,
        ["details"] = Details(v.Details, details),
    };

    private static JsonNode? Details(Dictionary<string, JsonElement> details, bool include) =>
        include ? JsonSerializer.SerializeToNode(details) : new JsonObject { ["omitted"] = "too large for PORTAL_META; read them from the API" };
}
