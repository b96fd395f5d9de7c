using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Portal.Core.Containers;
using Portal.Core.WorkFiles;
using Portal.Tests.Unit.Support;
using Portal.Tests.Unit.Trainings;

namespace Portal.Tests.Unit.Security;

/// <summary>
/// What work on another node may fetch through the portal (<see cref="WorkFilesService"/>), as an attacker holding one
/// token tries more: a deployment's grant reads the version it serves and nothing else, and dies with the deployment; a
/// task token writes only its own training's result files; a forged token, a user's API token or an ended training's token
/// gets nothing; an IDE session's grant reads what it was opened with until it stops; a home directory that became a link
/// into the portal's data is not packed. The in-memory manager says work may run elsewhere, so the portal builds fetching
/// workloads.
/// </summary>
public sealed class WorkFilesAccessTests : IAsyncLifetime
{
    private readonly FakeContainerManager _fake = new() { ScriptFor = _ => "sleep 600", MayRunElsewhere = true };
    private readonly TempDir _files = new();
    private PortalAppFactory _app = null!;
    private HttpClient _http = null!;

    private string Home => Path.Combine(_files.Path, "iris");

    public async Task InitializeAsync()
    {
        // IDE homes on NFS, so that sessions may run on any node too.
        _app = PortalAppFactory.WithManager(_fake, "ide:\n  volume_options:\n    type: nfs\n    o: addr=10.0.0.1\n    device: \":/homes/{user}\"\n");
        _http = await _app.CreateClientAsync();
        TrainingRunTests.WriteNotebook(_files, "iris", "x = 1");
        await File.WriteAllTextAsync(Path.Combine(Home, "predict.py"), "def load(p): return None\ndef predict(m, d): return d\n");
        (await _http.PostAsJsonAsync("/api/v1/models", new { name = "m" })).EnsureSuccessStatusCode();
        (await _http.PostAsJsonAsync("/api/v1/projects", new { name = "iris", home_dir = Home, models = new[] { "m" } })).EnsureSuccessStatusCode();
        foreach (var content in new byte[][] { [1], [2] })
        {
            using var version = new MultipartFormDataContent { { new ByteArrayContent(content), "files", "model.pkl" } };
            (await _http.PostAsync("/api/v1/models/m/versions", version)).EnsureSuccessStatusCode();
        }
        foreach (var name in new[] { "d1", "d2" })
        {
            using var dataset = new MultipartFormDataContent { { new StringContent(name), "name" }, { new ByteArrayContent("a\n1\n"u8.ToArray()), "files", "rows.csv" } };
            (await _http.PostAsync("/api/v1/models/m/datasets", dataset)).EnsureSuccessStatusCode();
        }
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.DisposeAsync();
        _files.Dispose();
    }

    private async Task<WorkloadSpec> StartedAsync(Func<WorkloadSpec, bool> which)
    {
        for (var i = 0; i < 100; i++)
        {
            if (_fake.Started.FirstOrDefault(which) is { } spec) return spec;
            await Task.Delay(50);
        }
        throw new TimeoutException("The workload was not started.");
    }

    private Task<HttpResponseMessage> AsWork(string token, HttpMethod method, string path, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, "/api/v1/tasks/" + path) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return _http.SendAsync(request);
    }

    [Fact]
    public async Task A_deployments_grant_reads_only_the_version_it_serves_and_ends_with_the_deployment()
    {
        (await _http.PostAsJsonAsync("/api/v1/deployments", new { name = "api", project = "iris", model_version = "m/1", entry = "predict.py" }))
            .EnsureSuccessStatusCode();
        var spec = await StartedAsync(s => s.Kind == WorkloadKind.Service);
        Assert.True(spec.AnyNode);
        Assert.Empty(spec.Mounts);
        Assert.False(spec.Env.ContainsKey("PORTAL_TASK_TOKEN"), "a deployment reports nothing: it gets no task token");
        Assert.Contains("--fetch", spec.Command);
        Assert.Contains("versions,project", spec.Command);
        var grant = spec.Env[WorkStaging.GrantVariable];

        Assert.Equal(HttpStatusCode.OK, (await AsWork(grant, HttpMethod.Get, "models/m/versions/1")).StatusCode);
        Assert.Equal([1], await (await AsWork(grant, HttpMethod.Get, "models/m/versions/1/files/model.pkl")).Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.OK, (await AsWork(grant, HttpMethod.Get, "project.tar.gz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await AsWork(grant, HttpMethod.Get, "toolkit.zip")).StatusCode);

        Assert.Equal(HttpStatusCode.Forbidden, (await AsWork(grant, HttpMethod.Get, "models/m/versions/2")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await AsWork(grant, HttpMethod.Get, "models/m/versions/2/files/model.pkl")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await AsWork(grant, HttpMethod.Get, "datasets/m/d1/files/rows.csv")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await AsWork(grant, HttpMethod.Get, "notebook")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await AsWork(grant, HttpMethod.Put, "results/output.ipynb", new ByteArrayContent([1]))).StatusCode);
        // A grant is not a task token: it cannot report, publish or pass for a training.
        Assert.Equal(HttpStatusCode.Unauthorized, (await AsWork(grant, HttpMethod.Post, "report", JsonContent.Create(new { progress = 0.5 }))).StatusCode);

        (await _http.DeleteAsync("/api/v1/deployments/api")).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.Unauthorized, (await AsWork(grant, HttpMethod.Get, "models/m/versions/1")).StatusCode);
    }

    [Fact]
    public async Task An_ide_sessions_grant_reads_only_what_it_was_opened_with_and_ends_when_it_stops()
    {
        (await _http.PostAsJsonAsync("/api/v1/ide", new { name = "lab", datasets = new[] { "m/d1" }, model_versions = new[] { "m/1" } })).EnsureSuccessStatusCode();
        var spec = await StartedAsync(s => s.Name.StartsWith("ide-", StringComparison.Ordinal));
        Assert.True(spec.AnyNode);
        Assert.DoesNotContain(spec.Mounts, m => m.Kind == MountKind.Bind);
        Assert.Contains(spec.Mounts, m => m.Kind == MountKind.Volume && m.Target == "/home/portal" && m.VolumeOptions["device"] == ":/homes/admin");
        var grant = spec.Env[WorkStaging.GrantVariable];

        Assert.Equal("a\n1\n", await (await AsWork(grant, HttpMethod.Get, "datasets/m/d1/files/rows.csv")).Content.ReadAsStringAsync());
        Assert.Equal([1], await (await AsWork(grant, HttpMethod.Get, "models/m/versions/1/files/model.pkl")).Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.Forbidden, (await AsWork(grant, HttpMethod.Get, "datasets/m/d2")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await AsWork(grant, HttpMethod.Get, "datasets/m/d2/files/rows.csv")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await AsWork(grant, HttpMethod.Get, "models/m/versions/2/files/model.pkl")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await AsWork(grant, HttpMethod.Get, "project.tar.gz")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await AsWork(grant, HttpMethod.Get, "notebook")).StatusCode);

        (await _http.PostAsync("/api/v1/ide/lab/stop", null)).EnsureSuccessStatusCode();
        for (var i = 0; i < 100 && (await AsWork(grant, HttpMethod.Get, "datasets/m/d1")).StatusCode != HttpStatusCode.Unauthorized; i++) await Task.Delay(50);
        Assert.Equal(HttpStatusCode.Unauthorized, (await AsWork(grant, HttpMethod.Get, "datasets/m/d1/files/rows.csv")).StatusCode);
    }

    [Fact]
    public async Task An_ide_session_that_edits_a_project_on_the_portals_host_stays_there_and_mounts()
    {
        (await _http.PostAsJsonAsync("/api/v1/ide", new { name = "edit", edit_project = "iris", datasets = new[] { "m/d1" } })).EnsureSuccessStatusCode();
        var spec = await StartedAsync(s => s.Name.StartsWith("ide-", StringComparison.Ordinal));
        Assert.False(spec.AnyNode);
        Assert.Contains(spec.Mounts, m => m.Kind == MountKind.Bind && m.Source == Home);
        Assert.False(spec.Env.ContainsKey(WorkStaging.GrantVariable));
    }

    [Fact]
    public async Task A_task_token_fetches_its_training_and_writes_only_its_result_files_and_nothing_once_the_training_ends()
    {
        (await _http.PostAsJsonAsync("/api/v1/trainings", new { project = "iris", name = "t", notebook = "nb.ipynb", datasets = new[] { "m/d1" } }))
            .EnsureSuccessStatusCode();
        var spec = await StartedAsync(s => s.Kind == WorkloadKind.Task);
        Assert.True(spec.AnyNode);
        Assert.Empty(spec.Mounts);
        Assert.Contains("notebook,datasets,project", spec.Command);
        var token = spec.Env["PORTAL_TASK_TOKEN"];

        Assert.Contains("\"cells\"", await (await AsWork(token, HttpMethod.Get, "notebook")).Content.ReadAsStringAsync());
        Assert.Equal("a\n1\n", await (await AsWork(token, HttpMethod.Get, "datasets/m/d1/files/rows.csv")).Content.ReadAsStringAsync());
        using (var zip = new ZipArchive(await (await AsWork(token, HttpMethod.Get, "toolkit.zip")).Content.ReadAsStreamAsync()))
            Assert.Contains(zip.Entries, e => e.FullName.Replace('\\', '/') == "portal_toolkit/stage.py");
        var names = new List<string>();
        await using (var gzip = new GZipStream(await (await AsWork(token, HttpMethod.Get, "project.tar.gz")).Content.ReadAsStreamAsync(), CompressionMode.Decompress))
        {
            using var tar = new TarReader(gzip);
            while (await tar.GetNextEntryAsync() is { } entry) names.Add(entry.Name);
        }
        Assert.Contains(names, n => n.EndsWith("nb.ipynb", StringComparison.Ordinal));

        var workspace = Path.Combine(_app.DataDir, "work", "trainings", "1");
        Assert.Equal(HttpStatusCode.NoContent, (await AsWork(token, HttpMethod.Put, "results/output.ipynb", new StringContent("{}"))).StatusCode);
        Assert.Equal("{}", await File.ReadAllTextAsync(Path.Combine(workspace, "output.ipynb")));
        // Only the runner's result names: not the notebook it was given, not a path out of the workspace.
        var refused = await AsWork(token, HttpMethod.Put, "results/input.ipynb", new StringContent("{}"));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("output.ipynb", await refused.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, (await AsWork(token, HttpMethod.Put, "results/..%2F..%2Fportal.db", new StringContent("x"))).StatusCode);

        // Nobody else passes: a forged token, a user's own API token.
        Assert.Equal(HttpStatusCode.Unauthorized, (await AsWork("forged", HttpMethod.Get, "toolkit.zip")).StatusCode);
        var userToken = await TestIdentities.TokenAsync(_app.Services, "dana", Portal.Core.Security.Roles.DataScientist);
        Assert.Equal(HttpStatusCode.Unauthorized, (await AsWork(userToken, HttpMethod.Get, "notebook")).StatusCode);

        (await _http.PostAsync("/api/v1/trainings/iris/t/cancel", null)).EnsureSuccessStatusCode();
        for (var i = 0; i < 100 && (await AsWork(token, HttpMethod.Get, "notebook")).StatusCode != HttpStatusCode.Unauthorized; i++) await Task.Delay(50);
        Assert.Equal(HttpStatusCode.Unauthorized, (await AsWork(token, HttpMethod.Put, "results/output.ipynb", new StringContent("{}"))).StatusCode);
    }

    [Fact]
    public async Task A_home_directory_that_became_a_link_into_the_portals_data_is_not_packed()
    {
        (await _http.PostAsJsonAsync("/api/v1/trainings", new { project = "iris", name = "t", notebook = "nb.ipynb" })).EnsureSuccessStatusCode();
        var token = (await StartedAsync(s => s.Kind == WorkloadKind.Task)).Env["PORTAL_TASK_TOKEN"];
        Directory.Move(Home, Home + ".moved");
        Directory.CreateSymbolicLink(Home, _app.DataDir);

        var refused = await AsWork(token, HttpMethod.Get, "project.tar.gz");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("data directory", await refused.Content.ReadAsStringAsync());
    }
}
