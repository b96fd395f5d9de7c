using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Portal.Core.Containers;
using Portal.Tests.Unit.Support;
using Portal.Tests.Unit.Trainings;

namespace Portal.Tests.Unit.ModelVersions;

/// <summary>
/// A publish sent again after its answer was lost (the portal died between committing the version and answering): the
/// toolkit keeps one publish_id across retries, and the portal answers with the version the first try made.
/// </summary>
public sealed class PublishRetryTests : IDisposable
{
    private readonly FakeContainerManager _fake = new() { ScriptFor = _ => "sleep 30" };
    private readonly TempDir _project = new();
    private readonly PortalAppFactory _app;

    public PublishRetryTests()
    {
        TrainingRunTests.WriteNotebook(_project, "p", "x = 1");
        _app = PortalAppFactory.WithManager(_fake);
    }

    private static HttpRequestMessage Publish(string token, string? publishId, byte[] bytes)
    {
        var form = new MultipartFormDataContent();
        if (publishId is not null) form.Add(new StringContent(publishId), "publish_id");
        form.Add(new ByteArrayContent(bytes), "files", "model.bin");
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/tasks/publish?model=m") { Content = form };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    [Fact]
    public async Task The_same_publish_sent_again_answers_the_version_it_made_and_makes_no_second_one()
    {
        var http = await _app.CreateClientAsync();
        (await http.PostAsJsonAsync("/api/v1/models", new { name = "m" })).EnsureSuccessStatusCode();
        await TrainingRunTests.CreateProjectAsync(http, "p", Path.Combine(_project.Path, "p"));
        (await http.PostAsJsonAsync("/api/v1/trainings", new { project = "p", name = "t", notebook = "nb.ipynb" })).EnsureSuccessStatusCode();
        string? token = null;
        for (var i = 0; i < 100 && token is null; i++)
        {
            token = _fake.Started.FirstOrDefault()?.Env.GetValueOrDefault("PORTAL_TASK_TOKEN");
            if (token is null) await Task.Delay(50);
        }
        Assert.NotNull(token);

        var first = await http.SendAsync(Publish(token, "call-1", [1, 2, 3]));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var again = await http.SendAsync(Publish(token, "call-1", [1, 2, 3]));
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.Equal((await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("name").GetString(),
            (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("name").GetString());
        Assert.Equal(1, (await http.GetFromJsonAsync<JsonElement>("/api/v1/models/m/versions")).GetProperty("total").GetInt32());

        // Another call, or one without an id (an older toolkit), is another version.
        Assert.Equal(HttpStatusCode.Created, (await http.SendAsync(Publish(token, "call-2", [4]))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await http.SendAsync(Publish(token, null, [5]))).StatusCode);
        Assert.Equal(3, (await http.GetFromJsonAsync<JsonElement>("/api/v1/models/m/versions")).GetProperty("total").GetInt32());
        Assert.Equal([1, 2, 3], await http.GetByteArrayAsync("/api/v1/models/m/versions/1/files/model.bin"));
    }

    [Fact]
    public async Task Another_trainings_publish_id_gets_nothing_of_its_version_and_an_oversized_id_is_refused()
    {
        var http = await _app.CreateClientAsync();
        (await http.PostAsJsonAsync("/api/v1/models", new { name = "m" })).EnsureSuccessStatusCode();
        await TrainingRunTests.CreateProjectAsync(http, "p", Path.Combine(_project.Path, "p"));
        foreach (var name in new[] { "victim", "attacker" })
            (await http.PostAsJsonAsync("/api/v1/trainings", new { project = "p", name, notebook = "nb.ipynb" })).EnsureSuccessStatusCode();
        for (var i = 0; i < 100 && _fake.Started.Count < 2; i++) await Task.Delay(50);
        var tokens = _fake.Started.Select(s => s.Env["PORTAL_TASK_TOKEN"]).ToArray();
        Assert.Equal(2, tokens.Length);

        var victim = await http.SendAsync(Publish(tokens[0], "guessed-id", [1, 2, 3]));
        Assert.Equal(HttpStatusCode.Created, victim.StatusCode);
        // The other training sends the same id: it gets a version of its own, made from its own bytes, never the victim's.
        var attacker = await http.SendAsync(Publish(tokens[1], "guessed-id", [9]));
        Assert.Equal(HttpStatusCode.Created, attacker.StatusCode);
        var theirs = (await attacker.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("name").GetString();
        Assert.NotEqual((await victim.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("name").GetString(), theirs);
        Assert.Equal([9], await http.GetByteArrayAsync($"/api/v1/models/m/versions/{theirs}/files/model.bin"));

        var oversized = await http.SendAsync(Publish(tokens[1], new string('x', 5000), [1]));
        Assert.Equal(HttpStatusCode.BadRequest, oversized.StatusCode);
        Assert.Contains("publish_id", await oversized.Content.ReadAsStringAsync());
        Assert.Equal(2, (await http.GetFromJsonAsync<JsonElement>("/api/v1/models/m/versions")).GetProperty("total").GetInt32());
    }

    public void Dispose()
    {
        _app.Dispose();
        _project.Dispose();
    }
}
