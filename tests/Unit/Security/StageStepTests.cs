using System.Text.Json;
using Portal.Core.Containers;
using Portal.Tests.Unit.Support;

namespace Portal.Tests.Unit.Security;

/// <summary>
/// The toolkit's stage step (portal_toolkit/stage.py), run by real Python: what it unpacks of a project archive and which
/// paths it points at its local copies. The archive comes from a user's home directory, so it is treated as hostile.
/// </summary>
public sealed class StageStepTests
{
    private static Task<string> StageAsync(string code) => RealPython.RunAsync(
        $"import os, sys\nos.environ[\"PORTAL_API_URL\"] = \"http://127.0.0.1:9\"\nsys.path.insert(0, {JsonSerializer.Serialize(PortalToolkit.Directory)})\nfrom portal_toolkit import stage\n" + code);

    [SkippableFact]
    public async Task Only_files_and_folders_inside_the_target_are_unpacked_from_a_project_archive()
    {
        RealPython.Require();
        using var dir = new TempDir();
        var archive = Path.Combine(dir.Path, "project.tar.gz");
        var target = Path.Combine(dir.Path, "project");
        var outside = Path.Combine(dir.Path, "escaped.txt");
        Directory.CreateDirectory(target);
        var printed = await StageAsync($$"""
            import io, os, tarfile
            def add(t, name, data=b"x", kind=tarfile.REGTYPE, link=""):
                info = tarfile.TarInfo(name); info.type = kind; info.linkname = link; info.size = len(data) if kind == tarfile.REGTYPE else 0
                t.addfile(info, io.BytesIO(data) if kind == tarfile.REGTYPE else None)
            with tarfile.open({{JsonSerializer.Serialize(archive)}}, "w:gz") as t:
                add(t, "train.ipynb", b"{}")
                add(t, "lib", kind=tarfile.DIRTYPE)
                add(t, "lib/util.py", b"print(1)")
                add(t, "../escaped.txt", b"out")
                add(t, "passwd", kind=tarfile.SYMTYPE, link="/etc/passwd")
                add(t, "hard", kind=tarfile.LNKTYPE, link="/etc/passwd")
                add(t, "fifo", kind=tarfile.FIFOTYPE)
            stage.open_url = lambda url, *a, **k: open({{JsonSerializer.Serialize(archive)}}, "rb")
            target = {{JsonSerializer.Serialize(target)}}
            stage.fetch_project(target)
            print(sorted(os.path.relpath(os.path.join(r, f), target) for r, ds, fs in os.walk(target) for f in fs + ds))
            """);
        Assert.Equal("['lib', 'lib/util.py', 'train.ipynb']", printed.Trim());
        Assert.False(File.Exists(outside));
    }

    [SkippableFact]
    public async Task Only_paths_under_slash_portal_are_pointed_at_the_local_copies()
    {
        RealPython.Require();
        var printed = await StageAsync("""
            for p in ["/portal/work/input.ipynb", "/portal/project", "/portal", "/opt/app/portal/x", "/ide/portal/s/", "--cwd", "/portalx"]:
                print(stage.local(p, "/tmp/portal"))
            """);
        Assert.Equal(
            ["/tmp/portal/work/input.ipynb", "/tmp/portal/project", "/tmp/portal", "/opt/app/portal/x", "/ide/portal/s/", "--cwd", "/portalx"],
            printed.Trim().Split('\n'));
    }
}
