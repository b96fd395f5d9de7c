using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Portal.Core.Security;
using Portal.Tests.Unit.Support;
using static Portal.Tests.Unit.Trainings.TrainingRunTests;

namespace Portal.Tests.Unit.Sweeps;

/// <summary>
/// Sweeps with real notebooks on local processes: a 3×3 grid with at most two at once runs nine trainings and marks the
/// best; a target ends a sweep early; the best run's version is promoted; bad sweeps are refused by field; trials run
/// with their owner's rights, not the portal's.
/// </summary>
public sealed class SweepTests
{
    /// <summary>Scores a * 10 + b, after a pause long enough to see two trials run together, and publishes the score as a version of m.</summary>
    private static string ScoringNotebook(TempDir dir, string folder = "proj") => WriteNotebook(dir, folder, "a = 0\nb = 0\npause = 1.0", """
        import os, tempfile, time
        import portal_toolkit as pt
        time.sleep(pause)
        score = a * 10 + b
        pt.log_metric("score", score)
        folder = tempfile.mkdtemp()
        with open(os.path.join(folder, "score.txt"), "w") as f:
            f.write(str(score))
        print("published", pt.publish("m", folder), flush=True)
        """);

    private static async Task<JsonElement> WaitForSweepEndAsync(HttpClient http, string project, string name, int seconds = 240)
    {
        for (var i = 0; i < seconds * 4; i++)
        {
            var detail = await http.GetFromJsonAsync<JsonElement>($"/api/v1/sweeps/{project}/{name}");
            if (detail.GetProperty("sweep").GetProperty("state").GetString() != "RUNNING") return detail;
            await Task.Delay(250);
        }
        throw new TimeoutException($"sweep {project}/{name} did not end in {seconds} s: " + await http.GetStringAsync($"/api/v1/sweeps/{project}/{name}"));
    }

    [SkippableFact]
    public async Task A_three_by_three_grid_with_at_most_two_at_once_runs_nine_trainings_marks_the_best_and_promotes_its_version()
    {
        RealPython.Require();
        await using var portal = await RealPortalHost.StartAsync();
        (await portal.Http.PostAsJsonAsync("/api/v1/models", new { name = "m" })).EnsureSuccessStatusCode();
        await CreateProjectAsync(portal.Http, "p", ScoringNotebook(portal.Dir));

        var started = await portal.Http.PostAsJsonAsync("/api/v1/sweeps", new
        {
            project = "p", name = "grid", notebook = "nb.ipynb", objective = "score", max_parallel = 2,
            spec = "method: grid\nparameters:\n  a: [1, 3, 2]\n  b: {min: 0, max: 2, step: 1}\n",
        });
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        var sweep = await started.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(9, sweep.GetProperty("trials").GetInt32());

        // While it runs, never more than two trainings of it wait or run at once, and two do at some point.
        var most = 0;
        JsonElement detail;
        do
        {
            detail = await portal.Http.GetFromJsonAsync<JsonElement>("/api/v1/sweeps/p/grid");
            var active = detail.GetProperty("trials").EnumerateArray().Count(t => t.GetProperty("state").GetString() is "WAITING" or "RUNNING");
            most = Math.Max(most, active);
            await Task.Delay(100);
        }
        while (detail.GetProperty("sweep").GetProperty("state").GetString() == "RUNNING" && most <= 2);
        Assert.True(most <= 2, $"{most} trials ran at once with max_parallel 2");
        detail = await WaitForSweepEndAsync(portal.Http, "p", "grid");
        Assert.True(most == 2, "the sweep never ran two trials at once");

        var end = detail.GetProperty("sweep");
        Assert.Equal("FINISHED", end.GetProperty("state").GetString());
        var trials = detail.GetProperty("trials").EnumerateArray().ToList();
        Assert.Equal(9, trials.Count);
        Assert.All(trials, t => Assert.Equal("FINISHED", t.GetProperty("state").GetString()));
        // The grid's order: the last parameter varies fastest; every trial scored a * 10 + b.
        Assert.Equal([(1, 0), (1, 1), (1, 2), (3, 0), (3, 1), (3, 2), (2, 0), (2, 1), (2, 2)],
            trials.Select(t => (t.GetProperty("parameters").GetProperty("a").GetInt32(), t.GetProperty("parameters").GetProperty("b").GetInt32())));
        Assert.All(trials, t => Assert.Equal(
            t.GetProperty("parameters").GetProperty("a").GetInt32() * 10 + t.GetProperty("parameters").GetProperty("b").GetInt32(),
            t.GetProperty("objective").GetDouble()));
        Assert.Equal("grid-6", end.GetProperty("best_training").GetString());
        Assert.Equal(32, end.GetProperty("best_value").GetDouble());
        Assert.Equal(["grid-6"], trials.Where(t => t.GetProperty("best").GetBoolean()).Select(t => t.GetProperty("training").GetString()));
        Assert.Contains("grid-6", end.GetProperty("message").GetString());
        // Each trial is a training with the trial's values injected.
        var six = await portal.Http.GetFromJsonAsync<JsonElement>("/api/v1/trainings/p/grid-6");
        Assert.Equal(3, six.GetProperty("parameters").GetProperty("a").GetInt32());

        var promoted = await portal.Http.PostAsJsonAsync("/api/v1/sweeps/p/grid/promote-best", new { });
        Assert.Equal(HttpStatusCode.OK, promoted.StatusCode);
        var version = await promoted.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("p/grid-6", version.GetProperty("training").GetString());
        Assert.Equal(2, version.GetProperty("environments").GetArrayLength());
        var list = await portal.Http.GetFromJsonAsync<JsonElement>("/api/v1/sweeps?project=p");
        Assert.Equal(1, list.GetProperty("total").GetInt32());
        // An ended sweep cannot be stopped.
        Assert.Equal(HttpStatusCode.Conflict, (await portal.Http.PostAsync("/api/v1/sweeps/p/grid/stop", null)).StatusCode);
    }

    [SkippableFact]
    public async Task A_sweep_ends_when_a_trial_reaches_the_target_and_a_stopped_sweep_cancels_its_trials()
    {
        RealPython.Require();
        await using var portal = await RealPortalHost.StartAsync();
        (await portal.Http.PostAsJsonAsync("/api/v1/models", new { name = "m" })).EnsureSuccessStatusCode();
        await CreateProjectAsync(portal.Http, "p", ScoringNotebook(portal.Dir));

        // Minimizing: the first trial scores 0 ≤ 5, so nothing more is launched.
        (await portal.Http.PostAsJsonAsync("/api/v1/sweeps", new
        {
            project = "p", name = "early", notebook = "nb.ipynb", objective = "score", direction = "minimize", target = 5, max_parallel = 1,
            spec = new { method = "random", trials = 6, seed = 3, parameters = new { a = new { min = 0, max = 0 }, b = new[] { 0 } } },
        })).EnsureSuccessStatusCode();
        var detail = await WaitForSweepEndAsync(portal.Http, "p", "early");
        Assert.Equal("STOPPED", detail.GetProperty("sweep").GetProperty("state").GetString());
        Assert.Contains("target", detail.GetProperty("sweep").GetProperty("message").GetString());
        Assert.Equal(1, detail.GetProperty("sweep").GetProperty("launched").GetInt32());
        Assert.Equal(["FINISHED", "PENDING", "PENDING", "PENDING", "PENDING", "PENDING"],
            detail.GetProperty("trials").EnumerateArray().Select(t => t.GetProperty("state").GetString()));

        // A user's stop cancels the trials still going.
        (await portal.Http.PostAsJsonAsync("/api/v1/sweeps", new
        {
            project = "p", name = "long", notebook = "nb.ipynb", objective = "score", max_parallel = 2, parameters = new { pause = 60 },
            spec = "method: grid\nparameters:\n  a: [1, 2, 3]\n",
        })).EnsureSuccessStatusCode();
        for (var i = 0; i < 200; i++)
        {
            var running = await portal.Http.GetFromJsonAsync<JsonElement>("/api/v1/sweeps/p/long");
            if (running.GetProperty("trials").EnumerateArray().Count(t => t.GetProperty("state").GetString() == "RUNNING") == 2) break;
            await Task.Delay(250);
        }
        var stopped = await portal.Http.PostAsync("/api/v1/sweeps/p/long/stop", null);
        Assert.Equal(HttpStatusCode.OK, stopped.StatusCode);
        Assert.Equal("STOPPED", (await stopped.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("state").GetString());
        foreach (var name in new[] { "long-1", "long-2" })
            Assert.Equal("CANCELLED", (await WaitForEndAsync(portal.Http, "p", name, 60)).GetProperty("state").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await portal.Http.GetAsync("/api/v1/trainings/p/long-3")).StatusCode);
    }

    [SkippableFact]
    public async Task A_sweep_running_when_the_portal_restarts_goes_on_after_it_and_launches_no_trial_twice()
    {
        RealPython.Require();
        var portal = await RealPortalHost.StartAsync();
        (await portal.Http.PostAsJsonAsync("/api/v1/models", new { name = "m" })).EnsureSuccessStatusCode();
        await CreateProjectAsync(portal.Http, "p", ScoringNotebook(portal.Dir));
        (await portal.Http.PostAsJsonAsync("/api/v1/sweeps", new
        {
            project = "p", name = "across", notebook = "nb.ipynb", objective = "score", max_parallel = 1, parameters = new { pause = 3 },
            spec = "method: grid\nparameters:\n  a: [1, 2, 3]\n",
        })).EnsureSuccessStatusCode();
        JsonElement before = default;
        for (var i = 0; i < 240; i++)
        {
            before = await portal.Http.GetFromJsonAsync<JsonElement>("/api/v1/sweeps/p/across");
            if (before.GetProperty("trials")[0].GetProperty("state").GetString() == "RUNNING") break;
            await Task.Delay(250);
        }
        Assert.Equal("RUNNING", before.GetProperty("trials")[0].GetProperty("state").GetString());
        Assert.Equal(1, before.GetProperty("sweep").GetProperty("launched").GetInt32());

        // The portal stops with the first trial going and two not launched; the next portal on its data carries on. The trial
        // it launches as it starts must be told the address it listens on, not the configured port 0 (its publish failed so).
        await using var restarted = await RealPortalHost.StartAsync(dir: await portal.StopKeepingDataAsync());
        var detail = await WaitForSweepEndAsync(restarted.Http, "p", "across", 120);
        var sweep = detail.GetProperty("sweep");
        Assert.Equal("FINISHED", sweep.GetProperty("state").GetString());
        Assert.Equal(3, sweep.GetProperty("launched").GetInt32());
        var trials = detail.GetProperty("trials").EnumerateArray().ToList();
        Assert.Equal(["across-1", "across-2", "across-3"], trials.Select(t => t.GetProperty("training").GetString()));
        // The first trial's end depends on what a portal's stop does to its local process; the two after the restart finish.
        Assert.All(trials.Skip(1), t => Assert.Equal("FINISHED", t.GetProperty("state").GetString()));
        Assert.Equal("across-3", sweep.GetProperty("best_training").GetString());
        var runs = await restarted.Http.GetFromJsonAsync<JsonElement>("/api/v1/trainings?project=p&take=100");
        Assert.Equal(3, runs.GetProperty("total").GetInt32());
    }

    [SkippableFact]
    public async Task A_bad_sweep_is_refused_by_field_and_nothing_runs()
    {
        RealPython.Require();
        await using var portal = await RealPortalHost.StartAsync();
        await CreateProjectAsync(portal.Http, "p", ScoringNotebook(portal.Dir));

        async Task<JsonElement> RefusedAsync(object body)
        {
            var answer = await portal.Http.PostAsJsonAsync("/api/v1/sweeps", body);
            Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
            return (await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        }
        var errors = await RefusedAsync(new
        {
            project = "p", name = "bad name!", notebook = "nope.ipynb", objective = "", direction = "sideways", max_parallel = 0,
            spec = "method: grid\nparameters:\n  a: {min: 1, max: 9}\n  'not ok': [1]\n  c: {min: 5, max: 1, step: 1}\n",
        });
        Assert.Contains("name", errors.EnumerateObject().Select(e => e.Name));
        Assert.Contains("objective", errors.EnumerateObject().Select(e => e.Name));
        Assert.Contains("direction", errors.EnumerateObject().Select(e => e.Name));
        Assert.Contains("max_parallel", errors.EnumerateObject().Select(e => e.Name));
        var spec = string.Join("\n", errors.GetProperty("spec").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("parameters.a: a grid needs choices or a range with a step", spec);
        Assert.Contains("'not ok' is not a Python variable name", spec);
        Assert.Contains("parameters.c: min (5) is more than max (1)", spec);

        // The first trial's launch is checked: a missing notebook and an unknown profile, by field.
        errors = await RefusedAsync(new { project = "p", name = "s", notebook = "nope.ipynb", objective = "score", resource_profile = "huge", spec = "parameters: {a: [1, 2]}" });
        Assert.Contains("resource_profile", errors.EnumerateObject().Select(e => e.Name));
        errors = await RefusedAsync(new { project = "p", name = "s", notebook = "nope.ipynb", objective = "score", spec = "parameters: {a: [1, 2]}" });
        Assert.Contains("nope.ipynb", errors.GetProperty("notebook")[0].GetString());
        // A grid too big, YAML that is not, and a missing spec.
        errors = await RefusedAsync(new { project = "p", notebook = "nb.ipynb", objective = "score", spec = "parameters: {a: {min: 1, max: 100, step: 1}, b: {min: 1, max: 10, step: 1}}" });
        Assert.Contains("1000 combinations", errors.GetProperty("spec")[0].GetString());
        errors = await RefusedAsync(new { project = "p", notebook = "nb.ipynb", objective = "score", spec = "parameters: [a: {" });
        Assert.Contains("neither valid YAML nor JSON", errors.GetProperty("spec")[0].GetString());
        errors = await RefusedAsync(new { project = "nope", notebook = "nb.ipynb", objective = "score" });
        Assert.Contains("spec", errors.EnumerateObject().Select(e => e.Name));
        Assert.Contains("project", errors.EnumerateObject().Select(e => e.Name));

        // Hostile specs: a huge text to be stored and shown, and a YAML alias that points a parameter's choices at a mapping.
        errors = await RefusedAsync(new { project = "p", notebook = "nb.ipynb", objective = "score", spec = "parameters: {a: [1]}\n#" + new string('x', 30_000) });
        Assert.Contains("at most 20,000 are kept", errors.GetProperty("spec")[0].GetString());
        errors = await RefusedAsync(new { project = "p", notebook = "nb.ipynb", objective = "score", spec = "x: &big {k: v}\nparameters:\n  a: [*big, *big]\n" });
        Assert.Contains("choices are numbers, text, true or false", string.Join(" ", errors.GetProperty("spec").EnumerateArray().Select(e => e.GetString())));
        Assert.Equal(0, (await portal.Http.GetFromJsonAsync<JsonElement>("/api/v1/sweeps")).GetProperty("total").GetInt32());
        Assert.Equal(0, (await portal.Http.GetFromJsonAsync<JsonElement>("/api/v1/trainings")).GetProperty("total").GetInt32());
        Assert.Equal(HttpStatusCode.NotFound, (await portal.Http.GetAsync("/api/v1/sweeps/p/nope")).StatusCode);
    }

    /// <summary>
    /// The attack: a data scientist's sweep outlives the check made when it started. Its project folder is turned into a link
    /// to a folder users may not use (outside security.host_paths) while the first trial runs. The later trials are launched
    /// with the data scientist's rights, so they are refused; launched by the portal with no actor, they would pass as an
    /// admin's and run from the forbidden folder.
    /// </summary>
    [SkippableFact]
    public async Task Trials_launch_with_their_owners_rights_so_a_project_folder_turned_into_a_link_elsewhere_is_refused()
    {
        RealPython.Require();
        using var opened = new TempDir();
        await using var portal = await RealPortalHost.StartAsync($"security:\n  host_paths: [{opened.Path}]\n");
        using var dana = new HttpClient { BaseAddress = new Uri(portal.BaseAddress) };
        dana.UseToken(await TestIdentities.TokenAsync(portal.Services, "dana", Roles.DataScientist));
        (await portal.Http.PostAsJsonAsync("/api/v1/models", new { name = "m" })).EnsureSuccessStatusCode();
        var home = ScoringNotebook(opened);
        var forbidden = ScoringNotebook(portal.Dir, "forbidden");
        (await dana.PostAsJsonAsync("/api/v1/projects", new { name = "p", home_dir = home })).EnsureSuccessStatusCode();

        (await dana.PostAsJsonAsync("/api/v1/sweeps", new
        {
            project = "p", name = "s", notebook = "nb.ipynb", objective = "score", max_parallel = 1, parameters = new { pause = 3 },
            spec = "parameters:\n  a: [1, 2, 3]\n",
        })).EnsureSuccessStatusCode();
        for (var i = 0; i < 200; i++)
        {
            if ((await dana.GetFromJsonAsync<JsonElement>("/api/v1/trainings/p/s-1")).GetProperty("state").GetString() == "RUNNING") break;
            await Task.Delay(100);
        }
        Directory.Move(home, home + "-moved");
        File.CreateSymbolicLink(home, forbidden);

        var detail = await WaitForSweepEndAsync(dana, "p", "s");
        var sweep = detail.GetProperty("sweep");
        Assert.Equal("FAILED", sweep.GetProperty("state").GetString());
        Assert.Contains("security.host_paths", sweep.GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await dana.GetAsync("/api/v1/trainings/p/s-2")).StatusCode);
        Assert.Equal("dana", sweep.GetProperty("owner").GetString());
    }
}
