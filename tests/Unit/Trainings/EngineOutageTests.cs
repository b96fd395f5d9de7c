using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Portal.Core.Configuration;
using Portal.Core.Containers;
using Portal.Core.Stores;
using Portal.Tests.Unit.Support;

namespace Portal.Tests.Unit.Trainings;

/// <summary>
/// What the training's owner does when the engine cannot be reached, on the in-memory manager with an injected outage
/// (the workloads go on, every call fails): seconds, no engine. The same faults on real engines are in
/// SwarmEngineOutageTests (dockerd stopped) and KubernetesTrainingTests (API server answering 503).
/// </summary>
public sealed class EngineOutageTests : IDisposable
{
    private readonly FakeContainerManager _fake = new();
    private readonly TempDir _project = new();
    private PortalAppFactory? _app;

    public EngineOutageTests() => TrainingRunTests.WriteNotebook(_project, "p", "x = 1", "print(x)");

    private async Task<HttpClient> StartAsync(double giveUpMinutes = 15, double orphanGraceSeconds = 120)
    {
        _app = new PortalAppFactory(
            $"container_manager:\n  give_up_minutes: {giveUpMinutes}\n  reconcile_seconds: 1\n  orphan_grace_seconds: {orphanGraceSeconds}\n",
            services: s =>
            {
                s.RemoveAll<IContainerManager>();
                s.AddSingleton<IContainerManager>(new WatchSharingManager(_fake));
            });
        var http = await _app.CreateClientAsync();
        await TrainingRunTests.CreateProjectAsync(http, "p", Path.Combine(_project.Path, "p"));
        return http;
    }

    private static async Task<JsonElement> WaitForAsync(HttpClient http, string name, Func<JsonElement, bool> done, int seconds = 30)
    {
        JsonElement t = default;
        for (var i = 0; i < seconds * 20; i++)
        {
            t = await http.GetFromJsonAsync<JsonElement>($"/api/v1/trainings/p/{name}");
            if (done(t)) return t;
            await Task.Delay(50);
        }
        throw new TimeoutException($"training {name} never got there; last: {t}");
    }

    private static string State(JsonElement t) => t.GetProperty("state").GetString()!;

    private static bool Marked(JsonElement t) => t.GetProperty("engine_unreachable_since").ValueKind == JsonValueKind.String;

    [Fact]
    public async Task An_unreachable_engine_leaves_the_training_running_and_marked_and_its_return_shows_the_truthful_end()
    {
        var http = await StartAsync();
        _fake.ScriptFor = _ => """echo before the outage; sleep 2; echo during the outage; write /portal/work/output.ipynb {"cells": []}; exit 0""";
        (await http.PostAsJsonAsync("/api/v1/trainings", new { project = "p", name = "t", notebook = "nb.ipynb" })).EnsureSuccessStatusCode();
        await WaitForAsync(http, "t", t => State(t) == "RUNNING");
        await Task.Delay(200);

        _fake.Unreachable = true;
        var marked = await WaitForAsync(http, "t", Marked);
        Assert.Equal("RUNNING", State(marked));
        // The work ends while the engine cannot be asked: the portal keeps the last known state, and says why.
        await Task.Delay(3000);
        var meanwhile = await http.GetFromJsonAsync<JsonElement>("/api/v1/trainings/p/t");
        Assert.Equal("RUNNING", State(meanwhile));
        Assert.True(Marked(meanwhile));

        _fake.Unreachable = false;
        var ended = await WaitForAsync(http, "t", t => State(t) is not ("RUNNING" or "WAITING"));
        Assert.Equal("FINISHED", State(ended));
        Assert.False(Marked(ended));
        var log = await http.GetStringAsync("/api/v1/trainings/p/t/log");
        Assert.Single(log.Split('\n'), l => l.Contains("before the outage"));
        Assert.Single(log.Split('\n'), l => l.Contains("during the outage"));
        Assert.Empty(await _fake.ListOwnedAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_notebook_failure_reported_while_the_engine_was_away_still_says_the_engine_was_unreachable()
    {
        // An engine that stops kills the kernel: the runner writes that as the notebook's failure, which alone would
        // blame the notebook (seen on a real dockerd: "AttributeError: 'NoneType' object has no attribute 'cleanup_resources'").
        var http = await StartAsync();
        _fake.ScriptFor = _ => """
            echo up; sleep 2; write /portal/work/failure.json {"ename": "DeadKernelError", "evalue": "Kernel died"}; exit 2
            """;
        (await http.PostAsJsonAsync("/api/v1/trainings", new { project = "p", name = "killed", notebook = "nb.ipynb" })).EnsureSuccessStatusCode();
        await WaitForAsync(http, "killed", t => State(t) == "RUNNING");

        _fake.Unreachable = true;
        await WaitForAsync(http, "killed", Marked);
        await Task.Delay(3000);
        _fake.Unreachable = false;
        var ended = await WaitForAsync(http, "killed", t => State(t) is not ("RUNNING" or "WAITING"));
        Assert.Equal("FAILED", State(ended));
        var message = ended.GetProperty("message").GetString()!;
        Assert.Contains("DeadKernelError: Kernel died", message);
        Assert.Contains("while the engine was unreachable", message);
    }

    [Fact]
    public async Task A_training_given_up_while_the_engine_was_away_is_picked_up_again_finished_and_audited()
    {
        var http = await StartAsync(giveUpMinutes: 0.03);
        _fake.ScriptFor = _ => """echo up; sleep 6; write /portal/work/output.ipynb {"cells": []}; exit 0""";
        (await http.PostAsJsonAsync("/api/v1/trainings", new { project = "p", name = "long", notebook = "nb.ipynb" })).EnsureSuccessStatusCode();
        await WaitForAsync(http, "long", t => State(t) == "RUNNING");

        _fake.Unreachable = true;
        var given = await WaitForAsync(http, "long", t => State(t) == "FAILED");
        Assert.Contains("could not be reached", given.GetProperty("message").GetString());
        Assert.Contains("give_up_minutes", given.GetProperty("message").GetString());
        Assert.Single(_fake.Owned);

        _fake.Unreachable = false;
        await WaitForAsync(http, "long", t => State(t) == "RUNNING");
        var ended = await WaitForAsync(http, "long", t => State(t) is not ("RUNNING" or "WAITING"));
        Assert.Equal("FINISHED", State(ended));
        var audit = await http.GetFromJsonAsync<JsonElement>("/api/v1/audit?action=training.adopt");
        var row = Assert.Single(audit.GetProperty("items").EnumerateArray());
        Assert.Equal("p/long", row.GetProperty("target").GetString());
        Assert.Empty(await _fake.ListOwnedAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Workloads_of_no_training_are_removed_after_the_grace_period_and_another_portals_are_left_alone()
    {
        var http = await StartAsync(orphanGraceSeconds: 1);
        var installation = _app!.Services.GetRequiredService<InstallationId>().Value;
        var ghost = await _fake.StartAsync(Spec("ghost", WorkloadLabels.Of(installation, "training", 4242, "ghost", "p")), CancellationToken.None);
        var other = await _fake.StartAsync(Spec("theirs", WorkloadLabels.Of("another-portal", "training", 4242, "theirs", "p")), CancellationToken.None);

        for (var i = 0; i < 200 && !_fake.Removed.Contains(ghost); i++) await Task.Delay(50);
        Assert.Contains(ghost, _fake.Removed);
        Assert.DoesNotContain(other, _fake.Removed);
        // The reconciler audits a removal after it is done, so the row may trail the removal by a moment.
        var rows = new List<JsonElement>();
        for (var i = 0; i < 100 && rows.Count == 0; i++)
        {
            if (i > 0) await Task.Delay(50);
            var audit = await http.GetFromJsonAsync<JsonElement>("/api/v1/audit?action=workload.remove-orphan");
            rows = audit.GetProperty("items").EnumerateArray().ToList();
        }
        Assert.Contains("training 4242 does not exist", Assert.Single(rows).GetProperty("detail").GetString());
    }

    private static WorkloadSpec Spec(string name, Dictionary<string, string> labels) =>
        new() { Name = name, Image = "none", Command = ["sleep 60"], Labels = labels, Kind = WorkloadKind.Task };

    public void Dispose()
    {
        _app?.Dispose();
        _project.Dispose();
    }
}
