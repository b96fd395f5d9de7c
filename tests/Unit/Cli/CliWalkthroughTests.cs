using System.Net.Http.Json;
using System.Text.Json;
using Portal.Core.Security;
using Portal.Tests.Unit.Support;
using static Portal.Tests.Unit.Trainings.TrainingRunTests;

namespace Portal.Tests.Unit.Cli;

/// <summary>
/// The iris walkthrough with the CLI only, against a real portal on the local manager (real Python trains and serves):
/// login, a model, a project, a dataset, a followed training that publishes a version, a deployment, and the errors and
/// exit codes a script relies on.
/// </summary>
public sealed class CliWalkthroughTests
{
    [SkippableFact]
    public async Task The_iris_walkthrough_runs_from_the_command_line_with_useful_exit_codes()
    {
        RealPython.Require();
        await using var portal = await RealPortalHost.StartAsync();
        using var cli = await PortalCli.InstallAsync();
        var token = await TestIdentities.TokenAsync(portal.Services, "ada", Roles.Admin);

        var login = await cli.RunAsync(token + "\n", "login", portal.BaseAddress, "--token-stdin");
        Assert.True(login.Code == 0, login.Err);
        Assert.Contains("as ada", login.Out);
        var saved = Path.Combine(cli.Home, ".portal", "cli.yaml");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(saved));
        Assert.Equal("ada", Json(await cli.RunAsync(null, "-o", "json", "whoami")).GetProperty("name").GetString());

        await Ok(cli, "model", "new", "iris-clf", "--desc", "iris classifier");
        await Ok(cli, "proj", "new", "iris", "--home-dir", IrisDir, "--model", "iris-clf");
        var data = Path.Combine(cli.Home, "iris-data");
        Directory.CreateDirectory(data);
        await File.WriteAllTextAsync(Path.Combine(data, "rows.csv"), "sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2\n");
        await Ok(cli, "ds", "new", "iris-data", "--model", "iris-clf", "--path", data);
        Assert.Contains("iris-data", (await Ok(cli, "ds", "list", "--model", "iris-clf")).Out);
        var fetched = Path.Combine(cli.Home, "fetched");
        await Ok(cli, "ds", "download", "iris-data", "--model", "iris-clf", "--to", fetched);
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(data, "rows.csv")), await File.ReadAllTextAsync(Path.Combine(fetched, "rows.csv")));

        var trained = await cli.RunAsync(null, "train", "new", "--project", "iris", "--nb", "train.ipynb", "--name", "t1",
            "--params", """{"n_estimators": 10, "publish_model": "iris-clf"}""", "--dataset", "iris-clf/iris-data", "--follow");
        Assert.True(trained.Code == 0, trained.Err + trained.Out);
        Assert.Contains("test accuracy:", trained.Out);
        Assert.Contains("published version", trained.Out);
        Assert.Contains("Training iris/t1 FINISHED", trained.Err);
        var versions = Json(await cli.RunAsync(null, "-o", "json", "movers", "list", "iris-clf"));
        var version = Assert.Single(versions.EnumerateArray()).GetProperty("name").GetString()!;
        Assert.Equal("FINISHED", Json(await cli.RunAsync(null, "-o", "json", "train", "info", "t1", "--project", "iris")).GetProperty("state").GetString());
        var model = Path.Combine(cli.Home, "model");
        await Ok(cli, "movers", "download", version, "--model", "iris-clf", "--to", model);
        Assert.True(new FileInfo(Path.Combine(model, "model.pkl")).Length > 0);
        Assert.Contains("test accuracy:", (await Ok(cli, "train", "logs", "t1", "--project", "iris")).Out);

        await Ok(cli, "depl", "new", "iris-api", "--project", "iris", "--movers", $"iris-clf/{version}", "--entry", "predict.py");
        Assert.Contains("iris-api", (await Ok(cli, "depl", "list")).Out);
        await WaitUntilServingAsync(portal.Http, "iris-api");
        await Ok(cli, "depl", "logs", "iris-api");
        var noLog = await cli.RunAsync(null, "depl", "logs", "nope");
        Assert.Equal(1, noLog.Code);
        Assert.Contains("nope", noLog.Err);
        await Ok(cli, "depl", "rm", "iris-api");

        // A training that fails: --follow exits 1 and says so.
        var failing = await cli.RunAsync(null, "train", "new", "--project", "iris", "--nb", "train.ipynb", "--name", "t2", "--params",
            """{"test_size": 2.0}""", "--follow");
        Assert.Equal(1, failing.Code);
        Assert.Contains("Training iris/t2 FAILED", failing.Err);

        // The portal's refusal is a sentence on stderr and exit 1; a usage error is exit 2 with the usage.
        var missing = await cli.RunAsync(null, "proj", "info", "nope");
        Assert.Equal(1, missing.Code);
        Assert.Contains("nope", missing.Err);
        var badName = await cli.RunAsync(null, "model", "new", "Bad Name");
        Assert.Equal(1, badName.Code);
        Assert.Contains("name:", badName.Err);
        var usage = await cli.RunAsync(null, "train", "new", "--project", "iris");
        Assert.Equal(2, usage.Code);
        Assert.Contains("--nb", usage.Err);
        Assert.Contains("movers", (await cli.RunAsync(null, "--help")).Out);
        Assert.Contains("--follow", (await cli.RunAsync(null, "train", "new", "--help")).Out);

        // Without a login, the CLI says how to get one.
        File.Delete(saved);
        var anonymous = await cli.RunAsync(null, "proj", "list");
        Assert.Equal(1, anonymous.Code);
        Assert.Contains("portal login", anonymous.Err);
    }

    private static async Task<PortalCli.Result> Ok(PortalCli cli, params string[] args)
    {
        var result = await cli.RunAsync(null, args);
        Assert.True(result.Code == 0, $"portal {string.Join(' ', args)} exited {result.Code}: {result.Err}{result.Out}");
        return result;
    }

    private static JsonElement Json(PortalCli.Result result)
    {
        Assert.True(result.Code == 0, result.Err);
        return JsonDocument.Parse(result.Out).RootElement;
    }

    private static async Task WaitUntilServingAsync(HttpClient http, string name)
    {
        for (var i = 0; i < 240; i++)
        {
            var answer = await http.PostAsJsonAsync($"/model/{name}/api/model/invoke",
                new { columns = new[] { "sepal_length", "sepal_width", "petal_length", "petal_width" }, data = new[] { new[] { 5.1, 3.5, 1.4, 0.2 } } });
            if (answer.IsSuccessStatusCode) return;
            await Task.Delay(250);
        }
        throw new TimeoutException($"{name} did not answer in 60 s");
    }
}
