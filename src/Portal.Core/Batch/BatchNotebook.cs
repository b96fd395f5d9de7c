using System.Text.Json.Nodes;

namespace Portal.Core.Batch;

/// <summary>
/// The notebook every batch job runs: the toolkit's batch scorer (portal_toolkit/batch.py) with the project's prediction
/// code over the mounted dataset, writing one predictions file per input file into the workspace's scored folder. Running
/// it as a notebook gives a batch job what a training has: its log, its executed notebook and the failing cell.
/// </summary>
public static class BatchNotebook
{
    /// <summary>The folder of the workspace the predictions are written to, and what a workload on another node sends back.</summary>
    public const string ScoredFolder = "scored";

    /// <summary>Where the notebook is said to come from (a training's notebook path).</summary>
    public const string Path = "portal:batch-scoring.ipynb";

    private const string Parameters = """
        # Set by the portal for each batch job.
        entry = "predict.py"
        dataset = ""
        """;

    private const string Score = $$"""
        import os
        from portal_toolkit import batch

        source = os.path.join(os.environ["PORTAL_DATASETS_DIR"], dataset)
        target = os.path.join(os.environ["PORTAL_WORK_DIR"], "{{ScoredFolder}}")
        code = batch.main(["--entry", entry, "--code", os.getcwd(), "--model-dir", os.environ["PORTAL_PRETRAINED_DIR"], source, target])
        if code != 0:
            raise RuntimeError(f"batch scoring stopped with exit code {code}: the lines above say why")
        """;

    /// <summary>The notebook's JSON, before the job's parameters are injected.</summary>
    public static string Json()
    {
        static JsonObject Cell(string id, string source, params string[] tags) => new()
        {
            ["id"] = id,
            ["cell_type"] = "code",
            ["execution_count"] = null,
            ["metadata"] = new JsonObject { ["tags"] = new JsonArray([.. tags.Select(t => (JsonNode)t)]) },
            ["outputs"] = new JsonArray(),
            ["source"] = source,
        };
        return new JsonObject
        {
            ["nbformat"] = 4,
            ["nbformat_minor"] = 5,
            ["metadata"] = new JsonObject
            {
                ["kernelspec"] = new JsonObject { ["name"] = "python3", ["display_name"] = "Python 3", ["language"] = "python" },
            },
            ["cells"] = new JsonArray(Cell("parameters", Parameters, "parameters"), Cell("score", Score)),
        }.ToJsonString();
    }
}
