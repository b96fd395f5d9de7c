using System.Net.Http.Json;
using Portal.Core.Storage;
using Portal.Tests.Unit.Support;

namespace Portal.Tests.Unit.Faults;

/// <summary>
/// What a portal killed mid-write leaves on disk, planted by hand, and what the next start removes: uploads staged by a
/// dead process, folders of records never committed, build checkouts, workspaces of ended trainings. What belongs to a
/// live process or a stored record stays.
/// </summary>
public sealed class ArtifactRepairTests
{
    [Fact]
    public async Task A_start_removes_what_a_crash_left_and_keeps_what_is_recorded_or_still_in_flight()
    {
        var first = await RealPortalHost.StartAsync();
        (await first.Http.PostAsJsonAsync("/api/v1/models", new { name = "m" })).EnsureSuccessStatusCode();
        var form = new MultipartFormDataContent { { new StringContent("kept"), "name" }, { new ByteArrayContent([1, 2, 3]), "files", "a.bin" } };
        (await first.Http.PostAsync("/api/v1/models/m/datasets", form)).EnsureSuccessStatusCode();
        var dir = await first.StopKeepingDataAsync();
        var data = Path.Combine(dir.Path, "data");
        var files = Path.Combine(data, "files");

        var dead = OwnerProcess.TagOf(int.MaxValue - 7, 1);
        string Plant(params string[] parts)
        {
            var path = Path.Combine([data, .. parts]);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, "left behind");
            return path;
        }
        var strays = new[]
        {
            Plant("files", "staging", $"{dead}_0123", "files", "half.csv"),
            Plant("files", "datasets", "999", "files", "orphan.csv"),
            Plant("files", "versions", "998", "files", "model.pkl"),
            Plant("files", ".tmp", $"{dead}_4567"),
            Plant("work", "builds", $"{dead}_run", "Dockerfile"),
            Plant("work", "trainings", "997", "input.ipynb"),
        };
        var inFlight = Plant("files", "staging", $"{OwnerProcess.Tag}_89ab", "files", "arriving.csv");

        await using var second = await RealPortalHost.StartAsync(dir: dir);
        Assert.All(strays, s => Assert.False(File.Exists(s), $"{s} is still there"));
        Assert.True(File.Exists(inFlight), "an upload of a running process was removed");
        Assert.Equal([1, 2, 3], await second.Http.GetByteArrayAsync("/api/v1/models/m/datasets/kept/files/a.bin"));
    }
}
