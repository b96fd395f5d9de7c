using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Portal.Core.Containers;
using Portal.Core.Entities;
using Portal.Core.Notifications;
using Portal.Core.Trainings;
using Portal.Tests.Unit.Support;

namespace Portal.Tests.Unit.Trainings;

/// <summary>
/// The training's state machine as its one owner moves it, on the in-memory fake manager (which passes the managers'
/// contract): milliseconds, no engine, no Python. The real engines run the same path in SwarmTrainingTests and TrainingRunTests.
/// </summary>
public sealed class TrainingSupervisorTests : IDisposable
{
    private readonly FakeContainerManager _fake = new();
    private readonly PortalAppFactory _app;
    private readonly TempDir _project = new();
    private readonly List<Training> _published = [];

    public TrainingSupervisorTests()
    {
        _app = new PortalAppFactory(services: s =>
        {
            s.RemoveAll<IContainerManager>();
            s.AddSingleton<IContainerManager>(new WatchSharingManager(_fake));
        });
        TrainingRunTests.WriteNotebook(_project, "p", "x = 1", "print(x)");
    }

    private async Task<HttpClient> StartAsync()
    {
        var http = await _app.CreateClientAsync();
        await TrainingRunTests.CreateProjectAsync(http, "p", Path.Combine(_project.Path, "p"));
        _app.Services.GetRequiredService<ChangeFeed<Training>>().Subscribe(_ => true, t =>
        {
            lock (_published) _published.Add(t);
            return Task.CompletedTask;
        });
        return http;
    }

    private async Task<JsonElement> LaunchAndWaitAsync(HttpClient http, string name, Func<string, Task>? whileRunning = null)
    {
        (await http.PostAsJsonAsync("/api/v1/trainings", new { project = "p", name, notebook = "nb.ipynb" })).EnsureSuccessStatusCode();
        if (whileRunning is not null) await whileRunning(name);
        await _app.Services.GetRequiredService<TrainingSupervisor>().WhenIdleAsync();
        return await http.GetFromJsonAsync<JsonElement>($"/api/v1/trainings/p/{name}");
    }

    private List<TaskState> StatesOf(string name)
    {
        lock (_published) return _published.Where(t => t.Name == name).Select(t => t.Task.State).ToList();
    }

    [Fact]
    public async Task A_run_is_published_waiting_running_finished_its_output_kept_and_its_workload_removed()
    {
        var http = await StartAsync();
        _fake.ScriptFor = _ => """echo training on; sleep 0.3; write /portal/work/output.ipynb {"cells": []}; echo done""";
        var t = await LaunchAndWaitAsync(http, "ok");

        Assert.Equal("FINISHED", t.GetProperty("state").GetString());
        var states = StatesOf("ok");
        Assert.Equal(TaskState.Waiting, states[0]);
        Assert.Equal(TaskState.Finished, states[^1]);
        Assert.Contains(TaskState.Running, states);
        Assert.DoesNotContain(TaskState.Waiting, states.SkipWhile(s => s != TaskState.Running));
        var log = await http.GetStringAsync("/api/v1/trainings/p/ok/log");
        Assert.Contains("training on", log);
        Assert.Contains("done", log);
        Assert.Equal("""{"cells": []}""", await http.GetStringAsync("/api/v1/trainings/p/ok/notebook"));
        Assert.Single(_fake.Removed);
        Assert.Empty(await _fake.ListOwnedAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_pending_workload_shows_waiting_with_the_engines_reason_then_runs()
    {
        var http = await StartAsync();
        _fake.ScriptFor = _ => "pending No node has room for the profile.; echo ran";
        var t = await LaunchAndWaitAsync(http, "queued", async name =>
        {
            for (var i = 0; i < 200 && !_published.ToArray().Any(p => p.Name == name && p.Task.Message == "No node has room for the profile."); i++)
                await Task.Delay(10);
            var shown = await http.GetFromJsonAsync<JsonElement>($"/api/v1/trainings/p/{name}");
            Assert.Equal("WAITING", shown.GetProperty("state").GetString());
            Assert.Equal("No node has room for the profile.", shown.GetProperty("message").GetString());
            _fake.Release((await _fake.ListOwnedAsync(CancellationToken.None)).Single().Id);
        });
        Assert.Equal("FINISHED", t.GetProperty("state").GetString());
    }

    [Fact]
    public async Task A_failing_cell_fails_the_run_naming_the_cell_and_its_error()
    {
        var http = await StartAsync();
        _fake.ScriptFor = _ => """write /portal/work/failure.json {"cell_index": 2, "ename": "ZeroDivisionError", "evalue": "division by zero", "traceback": ["tb"]}; exit 1""";
        var t = await LaunchAndWaitAsync(http, "boom");
        Assert.Equal("FAILED", t.GetProperty("state").GetString());
        Assert.Equal("Cell 2 failed: ZeroDivisionError: division by zero", t.GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_cancelled_run_ends_cancelled_and_takes_no_more_reports()
    {
        var http = await StartAsync();
        _fake.ScriptFor = _ => "echo up; sleep 60";
        var t = await LaunchAndWaitAsync(http, "long", async name =>
        {
            for (var i = 0; i < 200 && !StatesOf(name).Contains(TaskState.Running); i++) await Task.Delay(10);
            Assert.Equal(HttpStatusCode.Accepted, (await http.PostAsync($"/api/v1/trainings/p/{name}/cancel", null)).StatusCode);
        });
        Assert.Equal("CANCELLED", t.GetProperty("state").GetString());
        Assert.Equal("Cancelled on request.", t.GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await http.PostAsync("/api/v1/trainings/p/long/cancel", null)).StatusCode);
    }

    [Fact]
    public async Task The_event_stream_pushes_each_state_until_the_end_and_a_missing_training_is_404()
    {
        var http = await StartAsync();
        _fake.ScriptFor = _ => "echo up; sleep 0.5; echo done";
        (await http.PostAsJsonAsync("/api/v1/trainings", new { project = "p", name = "watched", notebook = "nb.ipynb" })).EnsureSuccessStatusCode();
        using var response = await http.GetAsync("/api/v1/trainings/p/watched/events", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var states = new List<string>();
        using (var reader = new StreamReader(await response.Content.ReadAsStreamAsync()))
        {
            while (await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)) is { } line)
                if (line.StartsWith("data: ", StringComparison.Ordinal))
                    states.Add(JsonDocument.Parse(line["data: ".Length..]).RootElement.GetProperty("state").GetString()!);
        }
        Assert.Equal("FINISHED", states[^1]);
        Assert.Contains("RUNNING", states);
        Assert.DoesNotContain("WAITING", states.SkipWhile(s => s != "RUNNING"));
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/api/v1/trainings/p/nothing/events")).StatusCode);
    }

    [Fact]
    public async Task Launch_checks_ask_the_managers_abilities_extra_mounts_need_containers()
    {
        var http = await StartAsync();
        var data = Path.Combine(_project.Path, "data");
        Directory.CreateDirectory(data);
        _fake.ScriptFor = _ => "echo ok";
        _fake.Capabilities = _fake.Capabilities with { Containers = false };
        var refused = await http.PostAsJsonAsync("/api/v1/trainings", new { project = "p", name = "m1", notebook = "nb.ipynb", mounts = new[] { $"{data}:/data" } });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("Extra mounts need a container manager", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("mounts")[0].GetString());

        _fake.Capabilities = _fake.Capabilities with { Containers = true };
        var accepted = await http.PostAsJsonAsync("/api/v1/trainings", new { project = "p", name = "m2", notebook = "nb.ipynb", mounts = new[] { $"{data}:/data" } });
        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
        Assert.Contains(_fake.Started, s => s.Mounts.Any(m => m.Source == data && m.Target == "/data"));
    }

    [Fact]
    public async Task The_event_stream_is_refused_without_a_sign_in_and_names_no_training()
    {
        var http = await StartAsync();
        _fake.ScriptFor = _ => "echo up; sleep 0.2";
        (await http.PostAsJsonAsync("/api/v1/trainings", new { project = "p", name = "secret", notebook = "nb.ipynb" })).EnsureSuccessStatusCode();
        using var anonymous = _app.CreateClient();
        var refused = await anonymous.GetAsync("/api/v1/trainings/p/secret/events");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.DoesNotContain("secret", await refused.Content.ReadAsStringAsync());
        using var forged = _app.CreateClient();
        forged.DefaultRequestHeaders.Authorization = new("Bearer", "pat_forged");
        Assert.Equal(HttpStatusCode.Unauthorized, (await forged.GetAsync("/api/v1/trainings/p/secret/events")).StatusCode);
    }

    public void Dispose()
    {
        _app.Dispose();
        _project.Dispose();
    }
}
