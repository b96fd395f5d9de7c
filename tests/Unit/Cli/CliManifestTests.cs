using System.Net.Http.Json;
using System.Text.Json;
using Portal.Core.Security;
using Portal.Tests.Unit.Support;
using static Portal.Tests.Unit.Trainings.TrainingRunTests;

namespace Portal.Tests.Unit.Cli;

/// <summary>
/// <c>portal apply -f</c> with manifests in ODAHU's shape: checked with line numbers before anything is made, planned
/// with --dry-run, applied (a connection, a training that publishes, a cli package built by the real engine, a
/// deployment on the local manager), then applied again without changing anything.
/// </summary>
public sealed class CliManifestTests
{
    private const string Set = """
        kind: Connection
        id: iris-git
        spec:
          type: git
          uri: https://git.example.com/team/iris.git
          username: builder
          password: czNjcmV0LXRva2Vu
          description: The iris repository
          webUILink: https://git.example.com/team/iris
        ---
        kind: ModelDeployment
        id: iris-depl
        spec:
          modelVersion: iris-clf/1
          project: iris
          entry: predict.py
          minReplicas: 1
        ---
        kind: ModelTraining
        id: iris-run
        spec:
          project: iris
          model:
            name: iris-clf
            version: "1"
          toolchain: papermill
          entrypoint: train.ipynb
          hyperParameters:
            n_estimators: 10
            publish_model: iris-clf
          data:
            - dataset: iris-clf/iris-data
        ---
        kind: ModelPackaging
        id: iris-batch
        spec:
          artifactName: iris-clf/1
          integrationName: docker-cli
          project: iris
        """;

    private const string Broken = """
        kind: Connection
        id: broken
        spec:
          type: git
          uri: https://git.example.com/x.git
          password: not base64!
        ---
        kind: ModelTraining
        id: no-entry
        spec:
          project: iris
          colour: blue
        """;

    [SkippableFact]
    public async Task An_odahu_manifest_set_is_checked_planned_applied_and_applied_again_without_changes()
    {
        RealPython.Require();
        await RealDocker.RequireNotebookBaseAsync();
        await using var portal = await RealPortalHost.StartAsync();
        var http = portal.Http;
        (await http.PostAsJsonAsync("/api/v1/models", new { name = "iris-clf" })).EnsureSuccessStatusCode();
        (await http.PostAsJsonAsync("/api/v1/projects", new { name = "iris", home_dir = IrisDir, models = new[] { "iris-clf" } })).EnsureSuccessStatusCode();
        using (var dataset = new MultipartFormDataContent { { new StringContent("iris-data"), "name" }, { new ByteArrayContent("a,b\n1,2\n"u8.ToArray()), "files", "rows.csv" } })
            (await http.PostAsync("/api/v1/models/iris-clf/datasets", dataset)).EnsureSuccessStatusCode();
        using var cli = await PortalCli.InstallAsync();
        var login = await cli.RunAsync(await TestIdentities.TokenAsync(portal.Services, "ada", Roles.Admin) + "\n", "login", portal.BaseAddress, "--token-stdin");
        Assert.True(login.Code == 0, login.Err);
        var set = Path.Combine(cli.Home, "iris.odahu.yaml");
        await File.WriteAllTextAsync(set, Set);
        var broken = Path.Combine(cli.Home, "broken.odahu.yaml");
        await File.WriteAllTextAsync(broken, Broken);
        string image = "";
        try
        {
            // Every problem, with its line, and nothing made.
            var refused = await cli.RunAsync(null, "apply", "-f", broken, "-f", set);
            Assert.Equal(1, refused.Code);
            Assert.Contains("nothing was changed", refused.Err);
            Assert.Contains("broken.odahu.yaml:6: Connection 'broken': spec.password must be base64", refused.Err.Replace(cli.Home + "/", ""));
            Assert.Contains("broken.odahu.yaml:12: ModelTraining 'no-entry' has no key 'colour'", refused.Err.Replace(cli.Home + "/", ""));
            Assert.Contains("spec.entrypoint is required", refused.Err);
            Assert.Equal(0, (await http.GetFromJsonAsync<JsonElement>("/api/v1/credentials")).GetProperty("total").GetInt32());

            var planned = await cli.RunAsync(null, "-o", "json", "apply", "--dry-run", "-f", set);
            Assert.True(planned.Code == 0, planned.Err);
            Assert.Equal(["Connection/create", "ModelTraining/create", "ModelPackaging/create", "ModelDeployment/create"], PortalCli.Actions(planned.Out));
            Assert.Contains("'webUILink' has no counterpart here", planned.Err);
            Assert.Equal(0, (await http.GetFromJsonAsync<JsonElement>("/api/v1/trainings")).GetProperty("total").GetInt32());

            var applied = await cli.RunAsync(null, "-o", "json", "apply", "-f", set);
            Assert.True(applied.Code == 0, applied.Err + applied.Out);
            Assert.Equal(["Connection/created", "ModelTraining/created", "ModelTraining/finished", "ModelPackaging/created", "ModelPackaging/finished",
                "ModelDeployment/created"], PortalCli.Actions(applied.Out));
            var package = await http.GetFromJsonAsync<JsonElement>("/api/v1/packages/iris-batch");
            image = package.GetProperty("image").GetString()!;
            Assert.Equal(("cli", "iris-clf/1"), (package.GetProperty("kind").GetString(), package.GetProperty("model_version").GetString()));
            var credential = await http.GetFromJsonAsync<JsonElement>("/api/v1/credentials/iris-git");
            Assert.Equal(("git", "builder"), (credential.GetProperty("kind").GetString(), credential.GetProperty("details").GetProperty("username").GetString()));
            var before = await SnapshotAsync(http);

            var again = await cli.RunAsync(null, "-o", "json", "apply", "-f", set);
            Assert.True(again.Code == 0, again.Err);
            Assert.Equal(["Connection/unchanged", "ModelTraining/unchanged", "ModelPackaging/unchanged", "ModelDeployment/unchanged"], PortalCli.Actions(again.Out));
            Assert.Equal(before, await SnapshotAsync(http));

            Assert.Contains("present", (await cli.RunAsync(null, "get", "-f", set)).Out);
            var deleted = await cli.RunAsync(null, "delete", "-f", set);
            Assert.True(deleted.Code == 0, deleted.Err);
            Assert.Contains("ModelDeployment/iris-depl: deleted", deleted.Err);
            Assert.Equal(0, (await http.GetFromJsonAsync<JsonElement>("/api/v1/deployments")).GetProperty("total").GetInt32());
        }
        finally
        {
            await http.DeleteAsync("/api/v1/deployments/iris-depl");
            if (image.Length > 0) await Packages.PackageTests.DockerAsync("rmi", "-f", image);
        }
    }

    /// <summary>What a second apply must leave as it was: how many runs there are, and when each thing last changed.</summary>
    private static async Task<string> SnapshotAsync(HttpClient http)
    {
        var trainings = await http.GetFromJsonAsync<JsonElement>("/api/v1/trainings");
        var packages = await http.GetFromJsonAsync<JsonElement>("/api/v1/packages");
        var credential = await http.GetFromJsonAsync<JsonElement>("/api/v1/credentials/iris-git");
        var deployment = await http.GetFromJsonAsync<JsonElement>("/api/v1/deployments/iris-depl");
        var versions = await http.GetFromJsonAsync<JsonElement>("/api/v1/models/iris-clf/versions");
        return $"{trainings.GetProperty("total")} trainings, {packages.GetProperty("total")} packages, {versions.GetProperty("total")} versions, "
            + $"credential {credential.GetProperty("updated_at")}, deployment {deployment.GetProperty("created_at")} x{deployment.GetProperty("replicas")}";
    }
}
