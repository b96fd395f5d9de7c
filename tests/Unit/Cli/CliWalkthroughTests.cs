using System.Net.Http.Json;
using System.Text.Json;
using Portal.Core.Security;
using Portal.Tests.Unit.Support;
using static Portal.Tests.Unit.Trainings.TrainingRunTests;

namespace Portal.Tests.Unit.Cli;

/// <summary>
/// The iris walkthrough with the CLI only, against a real portal on the local manager (real Python trains and serves):
/// login, a model, a project, a dataset, a followed training that publishes a version, a deployment, and the errors and
/// exit codes a script relies on; on the embedded stores, and on PostgreSQL with the files in an S3 bucket.
/// </summary>
public sealed class CliWalkthroughTests
{
    [SkippableTheory]
    [InlineData("sqlite")]
    [InlineData("postgres+s3")]
    public async Task The_iris_walkthrough_runs_from_the_command_line_with_useful_exit_codes(string stores)
    {
        RealPython.Require();
        await using var s3 = stores.Contains("s3", StringComparison.Ordinal) ? await RealS3.StartAsync() : null;
        await using var portal = await RealPortalHost.StartAsync(s3?.FileStoreYaml ?? "",
            storeYaml: stores.StartsWith("postgres", StringComparison.Ordinal) ? await RealPortalHost.PostgresStoreYamlAsync() : "");
        using var cli = await PortalCli.InstallAsync();
        var token = await TestIdentities.TokenAsync(portal.Services, "ada", Roles.Admin);

        var login = await cli.RunAsync(token + "\n", "login", portal.BaseAddress, "--token-stdin");
        Assert.True(login.Code == 0, login.Err);
        Assert.Contains("as ada", login.Out);
        var saved = Path.Combine(cli.Home, ".portal", "cli.yaml");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(saved));
        Assert.Equal("ada", PortalCli.Json(await cli.RunAsync(null, "-o", "json", "whoami")).GetProperty("name").GetString());

        await cli.OkAsync("model", "new", "iris-clf", "--desc", "iris classifier");
        await cli.OkAsync("proj", "new", "iris", "--home-dir", IrisDir, "--model", "iris-clf");
        var data = Path.Combine(cli.Home, "iris-data");
        Directory.CreateDirectory(data);
        await File.WriteAllTextAsync(Path.Combine(data, "rows.csv"), "sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2\n");
        await cli.OkAsync("ds", "new", "iris-data", "--model", "iris-clf", "--path", data);
        Assert.Contains("iris-data", (await cli.OkAsync("ds", "list", "--model", "iris-clf")).Out);
        var fetched = Path.Combine(cli.Home, "fetched");
        await cli.OkAsync("ds", "download", "iris-data", "--model", "iris-clf", "--to", fetched);
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(data, "rows.csv")), await File.ReadAllTextAsync(Path.Combine(fetched, "rows.csv")));

        var trained = await cli.RunAsync(null, "train", "new", "--project", "iris", "--nb", "train.ipynb", "--name", "t1",
            "--params", """{"n_estimators": 10, "publish_model": "iris-clf"}""", "--dataset", "iris-clf/iris-data", "--follow");
        Assert.True(trained.Code == 0, trained.Err + trained.Out);
        Assert.Contains("test accuracy:", trained.Out);
        Assert.Contains("published version", trained.Out);
        Assert.Contains("Training iris/t1 FINISHED", trained.Err);
        var versions = PortalCli.Json(await cli.RunAsync(null, "-o", "json", "movers", "list", "iris-clf"));
        var version = Assert.Single(versions.EnumerateArray()).GetProperty("name").GetString()!;
        Assert.Equal("FINISHED", PortalCli.Json(await cli.RunAsync(null, "-o", "json", "train", "info", "t1", "--project", "iris")).GetProperty("state").GetString());
        var model = Path.Combine(cli.Home, "model");
        await cli.OkAsync("movers", "download", version, "--model", "iris-clf", "--to", model);
        Assert.True(new FileInfo(Path.Combine(model, "model.pkl")).Length > 0);
        Assert.Contains("test accuracy:", (await cli.OkAsync("train", "logs", "t1", "--project", "iris")).Out);
        Assert.Contains("accuracy", (await cli.OkAsync("train", "metrics", "t1", "--project", "iris")).Out);

        // The version scores the dataset in a batch job; its predictions become a dataset. Then the two runs side by side.
        var scored = await cli.RunAsync(null, "batch", "new", "--version", $"iris-clf/{version}", "--dataset", "iris-clf/iris-data", "--into", "scored",
            "--name", "score", "--follow");
        Assert.True(scored.Code == 0, scored.Err + scored.Out);
        Assert.Contains("scored", (await cli.OkAsync("ds", "list", "--model", "iris-clf")).Out);
        Assert.Contains("iris-clf/scored", (await cli.OkAsync("batch", "list")).Out);
        var compared = PortalCli.Json(await cli.RunAsync(null, "-o", "json", "train", "compare", "iris/t1", "iris/score"));
        Assert.Equal(2, compared.GetProperty("runs").GetArrayLength());
        var tooFew = await cli.RunAsync(null, "train", "compare", "iris/t1");
        Assert.NotEqual(0, tooFew.Code);
        Assert.Contains("Compare 2 to 50 trainings", tooFew.Err);

        // A sweep over two values, both at once (their publishes of one model race for the next number); its best run's
        // version is promoted. A schedule is made, paused, resumed and removed.
        await cli.OkAsync("sweep", "new", "--project", "iris", "--nb", "train.ipynb", "--name", "trees", "--objective", "accuracy", "--max-parallel", "2",
            "--spec", "parameters:\n  n_estimators: [5, 10]\n", "--params", """{"publish_model": "iris-clf"}""");
        JsonElement sweep = default;
        for (var i = 0; i < 240; i++)
        {
            sweep = PortalCli.Json(await cli.RunAsync(null, "-o", "json", "sweep", "info", "trees", "--project", "iris"));
            if (sweep.GetProperty("sweep").GetProperty("state").GetString() != "RUNNING") break;
            await Task.Delay(500);
        }
        Assert.Equal("FINISHED", sweep.GetProperty("sweep").GetProperty("state").GetString());
        Assert.Equal(2, sweep.GetProperty("trials").EnumerateArray().Count(t => t.GetProperty("state").GetString() == "FINISHED"));
        Assert.Contains("trees-", (await cli.OkAsync("sweep", "info", "trees", "--project", "iris")).Out);
        Assert.Contains("trees", (await cli.OkAsync("sweep", "list")).Out);
        var promoted = PortalCli.Json(await cli.RunAsync(null, "-o", "json", "sweep", "promote-best", "trees", "--project", "iris"));
        Assert.Equal($"iris/{sweep.GetProperty("sweep").GetProperty("best_training").GetString()}", promoted.GetProperty("training").GetString());
        var badSweep = await cli.RunAsync(null, "sweep", "new", "--project", "iris", "--nb", "train.ipynb", "--objective", "accuracy", "--spec", "method: sideways");
        Assert.Equal(1, badSweep.Code);
        Assert.Contains("'sideways' is not a method", badSweep.Err);

        var scheduled = PortalCli.Json(await cli.RunAsync(null, "-o", "json", "schedule", "new", "nightly", "--project", "iris", "--nb", "train.ipynb",
            "--cron", "0 3 * * *", "--newest-dataset-of", "iris-clf"));
        Assert.Equal(3, scheduled.GetProperty("upcoming").GetArrayLength());
        Assert.Contains("nightly", (await cli.OkAsync("schedule", "list", "--project", "iris")).Out);
        Assert.True(PortalCli.Json(await cli.RunAsync(null, "-o", "json", "schedule", "pause", "nightly", "--project", "iris")).GetProperty("paused").GetBoolean());
        await cli.OkAsync("schedule", "resume", "nightly", "--project", "iris");
        Assert.Contains("'0 3 * * *'", (await cli.OkAsync("schedule", "info", "nightly", "--project", "iris")).Out);
        await cli.OkAsync("schedule", "rm", "nightly", "--project", "iris");
        var badCron = await cli.RunAsync(null, "schedule", "new", "n", "--project", "iris", "--nb", "train.ipynb", "--cron", "nightly");
        Assert.Equal(1, badCron.Code);
        Assert.Contains("is not a cron schedule", badCron.Err);

        await cli.OkAsync("depl", "new", "iris-api", "--project", "iris", "--movers", $"iris-clf/{version}", "--entry", "predict.py");
        Assert.Contains("iris-api", (await cli.OkAsync("depl", "list")).Out);
        await WaitUntilServingAsync(portal.Http, "iris-api");
        await cli.OkAsync("depl", "logs", "iris-api");
        var noLog = await cli.RunAsync(null, "depl", "logs", "nope");
        Assert.Equal(1, noLog.Code);
        Assert.Contains("nope", noLog.Err);
        await cli.OkAsync("depl", "rm", "iris-api");

        if (s3 is not null)
        {
            // The dataset and the version the training published live in the bucket, not on the portal's disk.
            using var bucket = s3.Client();
            var keys = ((await bucket.ListObjectsV2Async(new Amazon.S3.Model.ListObjectsV2Request { BucketName = RealS3.Bucket })).S3Objects ?? [])
                .Select(o => o.Key).ToList();
            Assert.Contains(keys, k => k.StartsWith("datasets/", StringComparison.Ordinal) && k.EndsWith("/files/rows.csv", StringComparison.Ordinal));
            Assert.Contains(keys, k => k.StartsWith("versions/", StringComparison.Ordinal) && k.EndsWith("/files/model.pkl", StringComparison.Ordinal));
            Assert.False(Directory.Exists(Path.Combine(portal.Dir.Path, "data", "files", "datasets")));
        }

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

    /// <summary>The vault, a cancelled training, an IDE session, YAML output, completion, and a login given by the environment.</summary>
    [SkippableFact]
    public async Task Credentials_a_cancel_an_ide_session_and_the_environment_login_work_from_the_command_line()
    {
        RealPython.Require();
        if (!File.Exists("/usr/bin/jupyter-notebook")) Portal.Tests.Shared.TestEnvironment.Missing("SKIPPED: /usr/bin/jupyter-notebook is missing (scripts/test.sh installs it).");
        // The examples are opened to users: dana, a data scientist, trains from them.
        await using var portal = await RealPortalHost.StartAsync($"security:\n  host_paths: [{Path.GetDirectoryName(IrisDir)}]\n");
        using var cli = await PortalCli.InstallAsync();
        // No saved login: the environment gives the portal and the token, as in CI.
        var env = new Dictionary<string, string>
        {
            ["PORTAL_URL"] = portal.BaseAddress, ["PORTAL_TOKEN"] = await TestIdentities.TokenAsync(portal.Services, "dana", Roles.DataScientist),
        };
        async Task<PortalCli.Result> Run(string? stdin, params string[] args)
        {
            var result = await cli.RunWithAsync(env, stdin, args);
            Assert.True(result.Code == 0, $"portal {string.Join(' ', args)} exited {result.Code}: {result.Err}{result.Out}");
            return result;
        }
        Assert.Contains("name: dana", (await Run(null, "-o", "yaml", "whoami")).Out);

        // A secret given on standard input is stored and never shown again.
        await Run("s3cret-token\n", "creds", "new", "repo", "--kind", "git", "--uri", "https://git.example.com/team/", "--username", "dana", "--secret-stdin");
        var listed = (await Run(null, "-o", "json", "creds", "list")).Out;
        Assert.Contains("\"repo\"", listed);
        Assert.DoesNotContain("s3cret-token", listed);
        await Run(null, "creds", "rm", "repo");
        Assert.Contains("(none)", (await Run(null, "creds", "list")).Out);

        // A long training, cancelled from the command line.
        (await portal.Http.PostAsJsonAsync("/api/v1/projects", new { name = "iris", home_dir = IrisDir })).EnsureSuccessStatusCode();
        await Run(null, "train", "new", "--project", "iris", "--nb", "train.ipynb", "--name", "slow", "--params", """{"pause": 60}""");
        await Run(null, "train", "cancel", "slow", "--project", "iris");
        var cancelled = await AssertEndsAsync(portal.Http, "iris", "slow");
        Assert.Equal("CANCELLED", cancelled);
        Assert.Contains("CANCELLED", (await Run(null, "train", "list", "--project", "iris")).Out);
        Assert.Contains("(none)", (await Run(null, "bvers", "list", "iris")).Out);

        // An IDE session: its address.
        var session = JsonDocument.Parse((await Run(null, "-o", "json", "note")).Out).RootElement;
        Assert.Contains("/ide/dana/", session.GetProperty("url").GetString());
        Assert.Contains("complete -F _portal portal", (await Run(null, "completion")).Out);
    }

    private static async Task<string> AssertEndsAsync(HttpClient http, string project, string name)
    {
        for (var i = 0; i < 240; i++)
        {
            var state = (await http.GetFromJsonAsync<JsonElement>($"/api/v1/trainings/{project}/{name}")).GetProperty("state").GetString()!;
            if (state is "FINISHED" or "FAILED" or "CANCELLED") return state;
            await Task.Delay(250);
        }
        throw new TimeoutException($"{project}/{name} did not end in 60 s");
    }

    private static async Task WaitUntilServingAsync(HttpClient http, string name)
    {
        for (var i = 0; i < 240; i++)
        {
            var answer = await http.PostAsJsonAsync($"/model/{name}/api/model/invoke",
                new { columns = Columns, data = new[] { new[] { 5.1, 3.5, 1.4, 0.2 } } });
            if (answer.IsSuccessStatusCode) return;
            await Task.Delay(250);
        }
        throw new TimeoutException($"{name} did not answer in 60 s");
    }
}
