using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Portal.Tests.E2E.Support;

namespace Portal.Tests.E2E;

/// <summary>
/// The real portal process killed with SIGKILL in the middle of a write, then started again on the same data: nothing
/// half-made is visible, no stray files remain, the client's retry succeeds, and a training that was publishing is
/// re-attached and finishes. Prints the figures the closing note reports.
/// </summary>
public class CrashSafetyTests
{
    private static readonly string[] Stray = ["/staging/", "/.tmp/"];

    private static IReadOnlyList<string> StrayFiles(PortalProcess portal) =>
        [.. Directory.EnumerateFiles(Path.Combine(portal.Root, "data", "files"), "*", SearchOption.AllDirectories)
            .Where(f => Stray.Any(s => f.Contains(s, StringComparison.Ordinal)))];

    private static string[] ArtifactFolders(PortalProcess portal, string root) =>
        Directory.Exists(Path.Combine(portal.Root, "data", "files", root))
            ? Directory.GetDirectories(Path.Combine(portal.Root, "data", "files", root)) : [];

    private static MultipartFormDataContent Upload(string name, long bytes, Action<long>? progress = null) => new()
    {
        { new StringContent(name), "name" },
        { new StreamContent(new ZeroStream(bytes, progress), 1 << 20), "files", "data.bin" },
    };

    [Fact]
    public async Task A_portal_killed_during_a_200_MB_dataset_upload_shows_no_partial_dataset_leaves_no_files_and_takes_the_retry()
    {
        var first = await PortalProcess.StartAsync();
        using (var api = await first.ApiClientAsync())
        {
            (await api.PostAsJsonAsync("/api/v1/models", new { name = "m" })).EnsureSuccessStatusCode();
            var killing = new TaskCompletionSource();
            var upload = api.PostAsync("/api/v1/models/m/datasets", Upload("big", 200L << 20, sent =>
            {
                if (sent >= 80L << 20) killing.TrySetResult();
            }));
            await killing.Task.WaitAsync(TimeSpan.FromMinutes(2));
            // The portal has received part of it into its staging folder: that is what a crash leaves behind.
            for (var i = 0; i < 100 && StrayFiles(first).Count == 0; i++) await Task.Delay(50);
            Assert.NotEmpty(StrayFiles(first));
            await first.KillAsync();
            await Assert.ThrowsAnyAsync<Exception>(() => upload);
        }

        var started = Stopwatch.StartNew();
        await using var second = await PortalProcess.StartAgainAsync(first);
        Console.WriteLine($"restart after kill -9 mid-upload: ready in {started.ElapsedMilliseconds} ms");
        Assert.Empty(StrayFiles(second));
        Assert.Empty(ArtifactFolders(second, "datasets"));
        using var again = await second.ApiClientAsync();
        var list = await again.GetFromJsonAsync<JsonElement>("/api/v1/models/m/datasets");
        Assert.Equal(0, list.GetProperty("total").GetInt32());

        var retried = await again.PostAsync("/api/v1/models/m/datasets", Upload("big", 20L << 20));
        Assert.Equal(HttpStatusCode.Created, retried.StatusCode);
        Assert.Single(ArtifactFolders(second, "datasets"));
        Assert.Empty(StrayFiles(second));
    }

    [SkippableFact]
    public async Task A_portal_killed_while_a_swarm_training_publishes_re_attaches_and_the_toolkit_publishes_it_once()
    {
        await Docker.RequireSwarmAsync();
        var home = Path.Combine(Path.GetTempPath(), "portal-e2e", $"publisher-{Guid.NewGuid():N}");
        Directory.CreateDirectory(home);
        await File.WriteAllTextAsync(Path.Combine(home, "publish.ipynb"), Notebook(
            "import os, portal_toolkit\nmodel = os.path.join(os.environ['PORTAL_WORK_DIR'], 'model')\nos.makedirs(model, exist_ok=True)\n" +
            "with open(os.path.join(model, 'weights.bin'), 'wb') as f:\n    for _ in range(150):\n        f.write(os.urandom(1 << 20))\n" +
            "print('publishing', flush=True)\nprint('published', portal_toolkit.publish('crashy', model), flush=True)"));

        var first = await PortalProcess.StartAsync("container_manager:\n  type: swarm\n");
        using (var api = await first.ApiClientAsync())
        {
            (await api.PostAsJsonAsync("/api/v1/models", new { name = "crashy" })).EnsureSuccessStatusCode();
            (await api.PostAsJsonAsync("/api/v1/projects", new { name = "pub", home_dir = home, models = new[] { "crashy" } })).EnsureSuccessStatusCode();
            (await api.PostAsJsonAsync("/api/v1/trainings", new { project = "pub", name = "t", notebook = "publish.ipynb" })).EnsureSuccessStatusCode();
            // Killed once the version's bytes are arriving.
            for (var i = 0; i < 1200 && !StrayFiles(first).Any(f => new FileInfo(f).Length > 20 << 20); i++) await Task.Delay(100);
            Assert.NotEmpty(StrayFiles(first));
        }
        await first.KillAsync();
        var left = StrayFiles(first);

        var started = Stopwatch.StartNew();
        await using var second = await PortalProcess.StartAgainAsync(first);
        // What the killed portal left is gone; the toolkit may already be sending the version again (new staging files).
        Assert.DoesNotContain(left, File.Exists);
        Assert.Empty(ArtifactFolders(second, "versions"));
        using var again = await second.ApiClientAsync();
        JsonElement t = default;
        for (var i = 0; i < 1200; i++)
        {
            t = await again.GetFromJsonAsync<JsonElement>("/api/v1/trainings/pub/t");
            if (t.GetProperty("state").GetString() is not ("RUNNING" or "WAITING")) break;
            await Task.Delay(250);
        }
        Console.WriteLine($"restart after kill -9 mid-publish: training {t.GetProperty("state")} {started.ElapsedMilliseconds} ms after the new start");
        var log = await again.GetStringAsync("/api/v1/trainings/pub/t/log");
        Assert.True(t.GetProperty("state").GetString() == "FINISHED", $"{t}\n{log}");
        Assert.Contains("publishing again", log);
        var versions = await again.GetFromJsonAsync<JsonElement>("/api/v1/models/crashy/versions");
        Assert.Equal(1, versions.GetProperty("total").GetInt32());
        Assert.Single(ArtifactFolders(second, "versions"));
        Assert.Empty(StrayFiles(second));
    }

    private static string Notebook(string code) => JsonSerializer.Serialize(new
    {
        cells = new[] { new { cell_type = "code", execution_count = (int?)null, id = "c0", metadata = new { }, outputs = Array.Empty<object>(), source = code } },
        metadata = new { kernelspec = new { name = "python3", display_name = "Python 3", language = "python" } },
        nbformat = 4, nbformat_minor = 5,
    });

    /// <summary>A body of zeros of a given length, generated as it is read (nothing held in memory), reporting how much was read.</summary>
    private sealed class ZeroStream(long length, Action<long>? progress) : Stream
    {
        private long _position;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - _position);
            Array.Clear(buffer, offset, n);
            _position += n;
            progress?.Invoke(_position);
            return n;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
