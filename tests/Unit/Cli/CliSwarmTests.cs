using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Portal.Core.Security;
using Portal.Tests.Unit.Packages;
using Portal.Tests.Unit.Support;
using static Portal.Tests.Unit.Trainings.TrainingRunTests;

namespace Portal.Tests.Unit.Cli;

/// <summary>
/// The CLI against a portal on the real swarm: a project image built with its log followed (a failing build exits 1),
/// a version uploaded, and an ODAHU manifest set that packages it as rest and deploys the package's image behind the
/// router, applied twice (the second time changes nothing) and deleted.
/// </summary>
public sealed class CliSwarmTests
{
    private const string Set = """
        kind: ModelPackaging
        id: iris-rest
        spec:
          artifactName: iris-clf/1
          integrationName: docker-rest
          project: iris
        ---
        kind: ModelDeployment
        id: iris-served
        spec:
          image: iris-rest
          minReplicas: 1
        """;

    [SkippableFact]
    public async Task A_build_is_followed_and_a_package_is_deployed_from_manifests_on_swarm()
    {
        RealPython.Require();
        await RealDocker.RequireNotebookBaseAsync();
        await RealDocker.BusyboxAsync();
        await using var portal = await RealPortalHost.StartAsync($"security:\n  host_paths: [{Path.GetDirectoryName(IrisDir)}]\n", manager: "swarm");
        var http = portal.Http;
        using var cli = await PortalCli.InstallAsync();
        var login = await cli.RunAsync(await TestIdentities.TokenAsync(portal.Services, "ada", Roles.Admin) + "\n", "login", portal.BaseAddress, "--token-stdin");
        Assert.True(login.Code == 0, login.Err);
        var image = "";
        try
        {
            // A build from the home directory, its log streamed as the engine writes it.
            var marker = Guid.NewGuid().ToString("N");
            portal.Dir.File("home/Dockerfile", $"FROM {RealDocker.BusyboxImage}\nRUN echo built {marker}\n");
            await cli.OkAsync("proj", "new", "built", "--home-dir", Path.Combine(portal.Dir.Path, "home"));
            var built = await cli.RunAsync(null, "proj", "build", "built", "--tag", "v1", "--follow");
            Assert.True(built.Code == 0, built.Err + built.Out);
            Assert.Contains($"built {marker}", built.Out);
            Assert.Contains("Build built:v1 SUCCEEDED.", built.Err);
            Assert.Contains("portal/built:v1", (await cli.OkAsync("bvers", "list", "built")).Out);
            portal.Dir.File("home/Dockerfile", $"FROM {RealDocker.BusyboxImage}\nRUN echo breaking {marker} && exit 3\n");
            var broken = await cli.RunAsync(null, "proj", "build", "built", "--tag", "v2", "--follow");
            Assert.Equal(1, broken.Code);
            Assert.Contains($"breaking {marker}", broken.Out);
            Assert.Contains("Build built:v2 FAILED", broken.Err);

            // A version from a file, then the manifests: a rest package and a deployment of its image.
            await cli.OkAsync("model", "new", "iris-clf");
            await cli.OkAsync("proj", "new", "iris", "--home-dir", IrisDir, "--model", "iris-clf");
            var pickle = Path.Combine(cli.Home, "model.pkl");
            await RealPython.PickleIrisClassifierAsync(pickle);
            Assert.Equal("1", PortalCli.Json(await cli.OkAsync("-o", "json", "movers", "upload", "--model", "iris-clf", "--path", pickle)).GetProperty("name").GetString());
            var set = Path.Combine(cli.Home, "serve.odahu.yaml");
            await File.WriteAllTextAsync(set, Set);

            var applied = await cli.OkAsync("-o", "json", "apply", "-f", set);
            Assert.Equal(["ModelPackaging/created", "ModelPackaging/finished", "ModelDeployment/created"], PortalCli.Actions(applied.Out));
            var package = await http.GetFromJsonAsync<JsonElement>("/api/v1/packages/iris-rest");
            image = package.GetProperty("image").GetString()!;
            await Noronha.NoronhaNotebookTests.WaitUntilHealthyAsync(http, "iris-served");
            var answer = await http.PostAsJsonAsync("/model/iris-served/api/model/invoke", new { columns = Columns, data = new[] { new[] { 6.7, 3.0, 5.2, 2.3 } } });
            Assert.True(answer.StatusCode == HttpStatusCode.OK, await answer.Content.ReadAsStringAsync());
            Assert.Equal("virginica", (await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("prediction")[0][0].GetString());
            var deployment = PortalCli.Json(await cli.OkAsync("-o", "json", "depl", "info", "iris-served"));
            Assert.Equal(("iris-rest", "iris-clf/1"), (deployment.GetProperty("package").GetString(), deployment.GetProperty("model_version").GetString()));

            var again = await cli.OkAsync("-o", "json", "apply", "-f", set);
            Assert.Equal(["ModelPackaging/unchanged", "ModelDeployment/unchanged"], PortalCli.Actions(again.Out));
            Assert.Equal(1, (await http.GetFromJsonAsync<JsonElement>("/api/v1/packages")).GetProperty("total").GetInt32());

            // Deleting goes in reverse: the deployment first, so the package it served may go too.
            var deleted = await cli.OkAsync("delete", "-f", set);
            Assert.Contains("ModelDeployment/iris-served: deleted", deleted.Err);
            Assert.Contains("ModelPackaging/iris-rest: deleted", deleted.Err);
            Assert.Equal(0, (await http.GetFromJsonAsync<JsonElement>("/api/v1/deployments")).GetProperty("total").GetInt32());
            Assert.Equal(0, (await http.GetFromJsonAsync<JsonElement>("/api/v1/packages")).GetProperty("total").GetInt32());
        }
        finally
        {
            await http.DeleteAsync("/api/v1/deployments/iris-served");
            await PackageTests.DockerAsync("rmi", "-f", "portal/built:v1");
            if (image.Length > 0) await PackageTests.DockerAsync("rmi", "-f", image);
        }
    }
}
