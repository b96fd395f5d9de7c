using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Portal.Tests.Unit.Support;

namespace Portal.Tests.Unit.Security;

/// <summary>
/// A data scientist names host folders only under <c>security.host_paths</c>, never the portal's data directory, a
/// socket or the host's root: for a project's home, a training's mounts, an IDE's editable project and a build context.
/// The attacks of the isolation review, against the real portal (real SQLite, real files and links).
/// </summary>
public sealed class HostPathTests : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private PortalAppFactory _app = null!;
    private HttpClient _admin = null!;
    private HttpClient _dana = null!;
    private string Opened => Path.Combine(_dir.Path, "projects");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(Opened, "iris"));
        _app = new PortalAppFactory($"security:\n  host_paths: [{Opened}]\n");
        _admin = await _app.CreateClientAsync();
        _dana = await _app.CreateClientAsync("dana", Portal.Core.Security.Roles.DataScientist);
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        _dana.Dispose();
        await _app.DisposeAsync();
        _dir.Dispose();
    }

    private static async Task<string> ErrorAsync(HttpResponseMessage response, string field)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return string.Join(" ", body.GetProperty("errors").GetProperty(field).EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task A_home_directory_outside_the_opened_folders_or_inside_the_data_directory_is_refused()
    {
        Assert.Contains("security.host_paths", await ErrorAsync(await _dana.PostAsJsonAsync("/api/v1/projects", new { name = "root", home_dir = "/" }), "home_dir"));
        Assert.Contains("data directory", await ErrorAsync(
            await _dana.PostAsJsonAsync("/api/v1/projects", new { name = "keys", home_dir = _app.DataDir }), "home_dir"));
        // A link inside the opened folder that leads to the data directory is followed, and refused.
        Directory.CreateSymbolicLink(Path.Combine(Opened, "sneaky"), _app.DataDir);
        Assert.Contains("data directory", await ErrorAsync(
            await _dana.PostAsJsonAsync("/api/v1/projects", new { name = "sneaky", home_dir = Path.Combine(Opened, "sneaky") }), "home_dir"));
        Assert.Equal(HttpStatusCode.NotFound, (await _admin.GetAsync("/api/v1/projects/root")).StatusCode);

        // Inside the opened folder: fine. An admin may register anything, and it is audited.
        Assert.Equal(HttpStatusCode.Created, (await _dana.PostAsJsonAsync("/api/v1/projects", new { name = "iris", home_dir = Path.Combine(Opened, "iris") })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await _admin.PostAsJsonAsync("/api/v1/projects", new { name = "hostroot", home_dir = "/" })).StatusCode);
        // Editing such a project's description leaves its home alone and is not refused.
        Assert.True((await _dana.PutAsJsonAsync("/api/v1/projects/hostroot", new { name = "hostroot", home_dir = "/", desc = "d" })).IsSuccessStatusCode);
    }

    [Fact]
    public async Task Mounts_ide_edits_and_build_contexts_reach_only_the_opened_folders()
    {
        (await _admin.PostAsJsonAsync("/api/v1/projects", new { name = "hostroot", home_dir = "/" })).EnsureSuccessStatusCode();
        (await _admin.PostAsJsonAsync("/api/v1/projects", new { name = "datadir", home_dir = _app.DataDir })).EnsureSuccessStatusCode();
        (await _dana.PostAsJsonAsync("/api/v1/projects", new { name = "iris", home_dir = Path.Combine(Opened, "iris") })).EnsureSuccessStatusCode();

        var mounts = await ErrorAsync(await _dana.PostAsJsonAsync("/api/v1/trainings", new
        {
            project = "iris", notebook = "train.ipynb", mounts = new[] { "/:/host", $"{_app.DataDir}:/keys" },
        }), "mounts");
        Assert.Contains("security.host_paths", mounts);
        Assert.Contains("data directory", mounts);
        if (File.Exists("/var/run/docker.sock"))
            Assert.Contains("not a folder", await ErrorAsync(await _dana.PostAsJsonAsync("/api/v1/trainings", new
            {
                project = "iris", notebook = "train.ipynb", mounts = new[] { "/var/run/docker.sock:/var/run/docker.sock" },
            }), "mounts"));

        Assert.Contains("security.host_paths", await ErrorAsync(
            await _dana.PostAsJsonAsync("/api/v1/ide", new { name = "edit-root", edit_project = "hostroot" }), "edit_project"));
        Assert.Contains("data directory", await ErrorAsync(
            await _dana.PostAsJsonAsync("/api/v1/projects/datadir/builds", new { from = "home_dir", tag = "x" }), "from"));
    }

    [Fact]
    public async Task A_home_turned_into_a_link_after_registration_is_refused_when_it_is_used()
    {
        var home = Directory.CreateDirectory(Path.Combine(Opened, "later")).FullName;
        (await _dana.PostAsJsonAsync("/api/v1/projects", new { name = "later", home_dir = home })).EnsureSuccessStatusCode();
        // With the opened folder writable to her (an IDE editing a project there), the folder becomes a link to the keys.
        Directory.Delete(home);
        Directory.CreateSymbolicLink(home, _app.DataDir);
        Assert.Contains("data directory", await ErrorAsync(
            await _dana.PostAsJsonAsync("/api/v1/trainings", new { project = "later", notebook = "train.ipynb" }), "project"));
        Assert.Contains("data directory", await ErrorAsync(
            await _dana.PostAsJsonAsync("/api/v1/projects/later/builds", new { from = "home_dir", tag = "x" }), "from"));
    }

    [Fact]
    public async Task A_data_scientist_cannot_open_host_folders_to_herself()
    {
        var import = await _dana.PostAsync("/api/v1/settings/import", new StringContent("security:\n  host_paths: [/]\n"));
        Assert.Equal(HttpStatusCode.Forbidden, import.StatusCode);
        Assert.Contains("security.host_paths", await ErrorAsync(await _dana.PostAsJsonAsync("/api/v1/projects", new { name = "root", home_dir = "/" }), "home_dir"));
    }
}
