using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Entities;
using Portal.Core.Persistence;
using Portal.Tests.Unit.Support;
using static Portal.Tests.Unit.Trainings.TrainingRunTests;

namespace Portal.Tests.Unit.ModelVersions;

/// <summary>Model versions through the API on a real portal: published by a real notebook's toolkit, uploaded by hand, promoted, deleted.</summary>
public sealed class ModelVersionTests
{
    private static async Task CreateModelAsync(HttpClient http, string name = "iris-clf", double maxMb = 5) =>
        (await http.PostAsJsonAsync("/api/v1/models", new
        {
            name, model_files = new object[] { new { name = "model.pkl", required = true, max_mb = maxMb }, new { name = "notes.txt" } },
        })).EnsureSuccessStatusCode();

    private static MultipartFormDataContent Form(Dictionary<string, string> fields, params (string Name, byte[] Bytes)[] files)
    {
        var form = new MultipartFormDataContent();
        foreach (var (k, v) in fields) form.Add(new StringContent(v), k);
        foreach (var (name, bytes) in files)
        {
            var part = new ByteArrayContent(bytes);
            part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            form.Add(part, "files", name);
        }
        return form;
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        Assert.Equal(expected, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [SkippableFact]
    public async Task The_iris_training_publishes_a_version_with_its_lineage_metrics_and_files()
    {
        RealPython.Require();
        await using var portal = await RealPortalHost.StartAsync();
        await CreateModelAsync(portal.Http);
        (await portal.Http.PostAsJsonAsync("/api/v1/projects", new { name = "iris", home_dir = IrisDir, models = new[] { "iris-clf" } })).EnsureSuccessStatusCode();
        (await portal.Http.PostAsJsonAsync("/api/v1/trainings", new
        {
            project = "iris", name = "rf", notebook = "train.ipynb", parameters = new { n_estimators = 15, publish_model = "iris-clf" },
        })).EnsureSuccessStatusCode();
        var t = await AssertFinishesAsync(portal.Http, "iris", "rf");
        Assert.Contains("published version 1 of iris-clf", await portal.Http.GetStringAsync("/api/v1/trainings/iris/rf/log"));

        var v = await portal.Http.GetFromJsonAsync<JsonElement>("/api/v1/models/iris-clf/versions/1");
        Assert.Equal("iris/rf", v.GetProperty("training").GetString());
        Assert.Equal(["dev"], v.GetProperty("environments").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(15, v.GetProperty("details").GetProperty("n_estimators").GetInt32());
        Assert.InRange(v.GetProperty("details").GetProperty("accuracy").GetDouble(), 0.8, 1.0);
        var file = Assert.Single(v.GetProperty("files").EnumerateArray());
        Assert.Equal("model.pkl", file.GetProperty("name").GetString());
        var bytes = await portal.Http.GetByteArrayAsync("/api/v1/models/iris-clf/versions/1/files/model.pkl");
        Assert.Equal(file.GetProperty("size").GetInt64(), bytes.Length);
        Assert.Equal(file.GetProperty("sha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(bytes)));

        // The token of a finished training publishes nothing more; a wrong token nothing at all.
        var anonymous = await portal.Http.PostAsync("/api/v1/tasks/publish?model=iris-clf", Form([], ("model.pkl", [1])));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        using var forged = new HttpRequestMessage(HttpMethod.Post, "/api/v1/tasks/publish?model=iris-clf") { Content = Form([], ("model.pkl", [1])) };
        forged.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "not-a-token");
        Assert.Equal(HttpStatusCode.Unauthorized, (await portal.Http.SendAsync(forged)).StatusCode);
    }

    [Fact]
    public async Task Uploads_by_hand_are_checked_against_the_model_files_and_numbered()
    {
        await using var portal = await RealPortalHost.StartAsync();
        await CreateModelAsync(portal.Http, maxMb: 0.001);

        var missing = await ProblemAsync(await portal.Http.PostAsync("/api/v1/models/iris-clf/versions", Form([], ("notes.txt", "n"u8.ToArray()))), HttpStatusCode.BadRequest);
        Assert.Contains("requires the file 'model.pkl'", missing.GetProperty("errors").GetProperty("files")[0].GetString());
        var tooBig = await portal.Http.PostAsync("/api/v1/models/iris-clf/versions", Form([], ("model.pkl", new byte[4096])));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooBig.StatusCode);
        var badName = await ProblemAsync(await portal.Http.PostAsync("/api/v1/models/iris-clf/versions", Form(new() { ["name"] = "V 1" }, ("model.pkl", [1]))), HttpStatusCode.BadRequest);
        Assert.True(badName.GetProperty("errors").TryGetProperty("name", out _));
        var traversal = await ProblemAsync(await portal.Http.PostAsync("/api/v1/models/iris-clf/versions", Form([], ("../model.pkl", [1]))), HttpStatusCode.BadRequest);
        Assert.True(traversal.GetProperty("errors").TryGetProperty("files", out _));
        Assert.Equal(0, (await portal.Http.GetFromJsonAsync<JsonElement>("/api/v1/models/iris-clf/versions")).GetProperty("total").GetInt32());

        var first = await portal.Http.PostAsync("/api/v1/models/iris-clf/versions", Form(new() { ["details"] = """{"auc": 0.91}""" }, ("model.pkl", [1, 2, 3])));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal("1", (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("name").GetString());
        var packed = await portal.Http.PostAsync("/api/v1/models/iris-clf/versions",
            Form(new() { ["compress"] = "true", ["pretrained"] = "iris-clf/1" }, ("model.pkl", [4, 5]), ("notes.txt", "été"u8.ToArray())));
        var second = await packed.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("2", second.GetProperty("name").GetString());
        Assert.Equal("iris-clf/1", second.GetProperty("pretrained").GetString());
        Assert.True(second.GetProperty("compressed").GetBoolean());
        Assert.Equal("été", await portal.Http.GetStringAsync("/api/v1/models/iris-clf/versions/2/files/notes.txt"));
        Assert.Equal(HttpStatusCode.OK, (await portal.Http.GetAsync("/api/v1/models/iris-clf/versions/2/archive")).StatusCode);
        var duplicate = await ProblemAsync(await portal.Http.PostAsync("/api/v1/models/iris-clf/versions", Form(new() { ["name"] = "2" }, ("model.pkl", [1]))), HttpStatusCode.BadRequest);
        Assert.Contains("already has a version named '2'", duplicate.GetProperty("errors").GetProperty("name")[0].GetString());
    }

    [Fact]
    public async Task Promotion_goes_one_environment_at_a_time_with_a_comment_and_is_recorded()
    {
        await using var portal = await RealPortalHost.StartAsync();
        await CreateModelAsync(portal.Http);
        (await portal.Http.PostAsync("/api/v1/models/iris-clf/versions", Form([], ("model.pkl", [1])))).EnsureSuccessStatusCode();
        async Task<HttpResponseMessage> Promote(string env, string? comment) =>
            await portal.Http.PostAsJsonAsync("/api/v1/models/iris-clf/versions/1/promote", new { environment = env, comment });

        var skip = await ProblemAsync(await Promote("prod", "straight to prod"), HttpStatusCode.Conflict);
        Assert.Contains("must be promoted to 'test' before 'prod'", skip.GetProperty("detail").GetString());
        var silent = await ProblemAsync(await Promote("test", " "), HttpStatusCode.BadRequest);
        Assert.True(silent.GetProperty("errors").TryGetProperty("comment", out _));
        var unknown = await ProblemAsync(await Promote("qa", "x"), HttpStatusCode.BadRequest);
        Assert.Contains("the environments are dev, test, prod", unknown.GetProperty("errors").GetProperty("environment")[0].GetString());

        Assert.Equal(HttpStatusCode.OK, (await Promote("test", "passed offline evaluation")).StatusCode);
        var promoted = await (await Promote("prod", "A/B test won")).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["dev", "test", "prod"], promoted.GetProperty("environments").EnumerateArray().Select(e => e.GetString()));
        var last = promoted.GetProperty("promotions")[1];
        Assert.Equal("A/B test won", last.GetProperty("comment").GetString());
        Assert.Equal("admin", last.GetProperty("by").GetString());
        Assert.InRange(last.GetProperty("at").GetDateTime(), DateTime.UtcNow.AddMinutes(-1), DateTime.UtcNow.AddMinutes(1));
        Assert.Equal(HttpStatusCode.Conflict, (await Promote("prod", "again")).StatusCode);
    }

    [Fact]
    public async Task Environments_come_from_portal_yaml()
    {
        await using var portal = await RealPortalHost.StartAsync("environments: [staging, live]\n");
        await CreateModelAsync(portal.Http);
        var created = await (await portal.Http.PostAsync("/api/v1/models/iris-clf/versions", Form([], ("model.pkl", [1])))).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["staging"], created.GetProperty("environments").EnumerateArray().Select(e => e.GetString()));
        var live = await (await portal.Http.PostAsJsonAsync("/api/v1/models/iris-clf/versions/1/promote", new { environment = "live", comment = "ok" })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["staging", "live"], live.GetProperty("environments").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task A_version_served_by_a_deployment_cannot_be_deleted_and_says_by_which()
    {
        await using var portal = await RealPortalHost.StartAsync();
        await CreateModelAsync(portal.Http);
        (await portal.Http.PostAsJsonAsync("/api/v1/projects", new { name = "p" })).EnsureSuccessStatusCode();
        (await portal.Http.PostAsync("/api/v1/models/iris-clf/versions", Form([], ("model.pkl", [1])))).EnsureSuccessStatusCode();
        // Deployments come with their own feature; this one is stored directly to hold the version.
        await using (var db = await portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync())
        {
            db.Deployments.Add(new Deployment
            {
                Name = "iris-api", ProjectId = (await db.Projects.SingleAsync()).Id, ModelVersionId = (await db.ModelVersions.SingleAsync()).Id, CreatedAt = DateTime.UtcNow,
            });
            await db.SaveChangesAsync();
        }
        var refused = await ProblemAsync(await portal.Http.DeleteAsync("/api/v1/models/iris-clf/versions/1"), HttpStatusCode.Conflict);
        Assert.Contains("served by the deployment 'iris-api'", refused.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.OK, (await portal.Http.GetAsync("/api/v1/models/iris-clf/versions/1/files/model.pkl")).StatusCode);

        await using (var db = await portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync())
            await db.Deployments.ExecuteDeleteAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await portal.Http.DeleteAsync("/api/v1/models/iris-clf/versions/1")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await portal.Http.GetAsync("/api/v1/models/iris-clf/versions/1")).StatusCode);
        Assert.False(Directory.Exists(Path.Combine(portal.Dir.Path, "data", "files", "versions", "1")));
    }
}
