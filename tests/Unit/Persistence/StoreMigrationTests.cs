using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Portal.Tests.Unit.Support;
using static Portal.Tests.Unit.Trainings.TrainingRunTests;

namespace Portal.Tests.Unit.Persistence;

/// <summary>
/// <c>Portal.Web migrate-store</c>, run as a process on a stopped portal's data: a real training's metadata (its dataset,
/// the version it published, the audit log) goes from SQLite to PostgreSQL and its files from the directory to a
/// bucket; the command checks counts and hashes, and a portal started on the targets serves all of it and goes on.
/// </summary>
public sealed class StoreMigrationTests
{
    [SkippableFact]
    public async Task Everything_moves_from_sqlite_and_a_directory_to_postgres_and_a_bucket_and_the_portal_goes_on_there()
    {
        RealPython.Require();
        await using var s3 = await RealS3.StartAsync();
        var postgres = await RealPortalHost.PostgresStoreYamlAsync();
        var portal = await RealPortalHost.StartAsync();
        var http = portal.Http;
        (await http.PostAsJsonAsync("/api/v1/models", new { name = "iris-clf" })).EnsureSuccessStatusCode();
        (await http.PostAsJsonAsync("/api/v1/projects", new { name = "iris", home_dir = IrisDir, models = new[] { "iris-clf" } })).EnsureSuccessStatusCode();
        var rows = "sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2\n"u8.ToArray();
        using (var form = new MultipartFormDataContent { { new StringContent("iris-data"), "name" }, { new ByteArrayContent(rows), "files", "rows.csv" } })
            (await http.PostAsync("/api/v1/models/iris-clf/datasets", form)).EnsureSuccessStatusCode();
        (await http.PostAsJsonAsync("/api/v1/trainings", new
        {
            project = "iris", name = "t1", notebook = "train.ipynb", datasets = new[] { "iris-clf/iris-data" },
            parameters = new { n_estimators = 10, publish_model = "iris-clf" },
        })).EnsureSuccessStatusCode();
        Assert.Equal("FINISHED", (await WaitForEndAsync(http, "iris", "t1")).GetProperty("state").GetString());
        var dir = await portal.StopKeepingDataAsync();
        try
        {
            var target = dir.File("target.yaml", $"store:\n{Indented(postgres)}{s3.FileStoreYaml}");
            var source = dir.File("source.yaml", $"store:\n  data_dir: {Path.Combine(dir.Path, "data")}\ncontainer_manager:\n  local_python: {RealPython.Path}\n");
            var (code, output) = await MigrateAsync(source, target);
            Assert.True(code == 0, output);
            Assert.Contains("Copying the metadata from SQLite", output);
            Assert.Matches(@"trainings\s+1 rows →\s+1\n", output);
            Assert.Matches(@"model_versions\s+1 rows →\s+1\n", output);
            Assert.DoesNotContain("MISMATCH", output);
            Assert.Contains("each read back from the target with the sha256 that was sent", output);
            Assert.Contains("Verified", output);

            // Again: the targets are no longer empty, and nothing is copied twice.
            var (again, refused) = await MigrateAsync(source, target);
            Assert.Equal(2, again);
            Assert.Contains("migrate into an empty database", refused);

            await using var moved = await RealPortalHost.StartAsync(s3.FileStoreYaml, dir: new TempDir(), storeYaml: postgres);
            var training = await moved.Http.GetFromJsonAsync<JsonElement>("/api/v1/trainings/iris/t1");
            Assert.Equal("FINISHED", training.GetProperty("state").GetString());
            var version = Assert.Single((await moved.Http.GetFromJsonAsync<JsonElement>("/api/v1/models/iris-clf/versions")).GetProperty("items").EnumerateArray());
            Assert.Equal("iris/t1", version.GetProperty("training").GetString());
            var model = await moved.Http.GetAsync($"/api/v1/models/iris-clf/versions/{version.GetProperty("name").GetString()}/files/model.pkl");
            Assert.Equal(HttpStatusCode.OK, model.StatusCode);
            Assert.Equal(rows, await moved.Http.GetByteArrayAsync("/api/v1/models/iris-clf/datasets/iris-data/files/rows.csv"));
            Assert.Contains("test accuracy:", await moved.Http.GetStringAsync("/api/v1/trainings/iris/t1/log"));
            // New rows get new ids after the copied ones.
            Assert.Equal(HttpStatusCode.Created, (await moved.Http.PostAsJsonAsync("/api/v1/models", new { name = "after-the-move" })).StatusCode);
        }
        finally { dir.Dispose(); }
    }

    private static string Indented(string yaml) => string.Concat(yaml.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => $"  {l}\n"));

    /// <summary>Runs the portal's own executable as an operator would: <c>Portal.Web --config SOURCE migrate-store --to TARGET</c>.</summary>
    private static async Task<(int Code, string Output)> MigrateAsync(string source, string target)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Portal.Web.dll");
        var start = new ProcessStartInfo("dotnet", [dll, "migrate-store", "--to", target, "--config", source])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(source)!,
        };
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("PORTAL__", StringComparison.Ordinal)).ToList()) start.Environment.Remove(name);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await error);
    }
}
