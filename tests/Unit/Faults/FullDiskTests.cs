using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Portal.Tests.Shared;
using Portal.Tests.Unit.Support;

namespace Portal.Tests.Unit.Faults;

/// <summary>
/// The portal's data directory on a small tmpfs of the test's own that fills up during an upload: the caller gets a
/// clear 507, the store stays consistent, nothing half-written remains, and the portal goes on serving. Needs root (mount).
/// </summary>
public sealed class FullDiskTests
{
    [SkippableFact]
    public async Task A_data_directory_that_fills_up_during_an_upload_gives_507_keeps_the_store_consistent_and_the_portal_serving()
    {
        if (Environment.UserName != "root") TestEnvironment.Missing("FULL DISK TEST SKIPPED: mounting a tmpfs needs root.");
        using var dir = new TempDir();
        var data = Path.Combine(dir.Path, "data");
        Directory.CreateDirectory(data);
        await TestEnvironment.RunAsync("mount", null, "-t", "tmpfs", "-o", "size=24m", "tmpfs", data);
        try
        {
            var portal = await RealPortalHost.StartAsync(dir: dir);
            try
            {
                (await portal.Http.PostAsJsonAsync("/api/v1/models", new { name = "m" })).EnsureSuccessStatusCode();
                var kept = await portal.Http.PostAsync("/api/v1/models/m/datasets", Upload("kept", 1 << 20));
                Assert.Equal(HttpStatusCode.Created, kept.StatusCode);

                var full = await portal.Http.PostAsync("/api/v1/models/m/datasets", Upload("huge", 40 << 20));
                var problem = await full.Content.ReadFromJsonAsync<JsonElement>();
                Assert.Equal(HttpStatusCode.InsufficientStorage, full.StatusCode);
                Assert.Contains("storage is full", problem.GetProperty("detail").GetString());
                Assert.DoesNotContain(data, problem.GetProperty("detail").GetString());

                // Nothing half-made: the list holds what was there, the partial upload's bytes are gone, and space is back.
                var list = await portal.Http.GetFromJsonAsync<JsonElement>("/api/v1/models/m/datasets");
                Assert.Equal(["kept"], list.GetProperty("items").EnumerateArray().Select(d => d.GetProperty("name").GetString()!).ToArray());
                Assert.DoesNotContain(Directory.EnumerateFiles(Path.Combine(data, "files"), "*", SearchOption.AllDirectories),
                    f => f.Contains("/staging/", StringComparison.Ordinal) || f.Contains("/.tmp/", StringComparison.Ordinal));
                Assert.Equal(HttpStatusCode.Created, (await portal.Http.PostAsync("/api/v1/models/m/datasets", Upload("after", 1 << 20))).StatusCode);
                Assert.Equal(1 << 20, (await portal.Http.GetByteArrayAsync("/api/v1/models/m/datasets/kept/files/data.bin")).Length);
            }
            // Stopped, not disposed: the data directory is the mount point, unmounted below.
            finally { await portal.StopKeepingDataAsync(); }
            await using var db = new SqliteConnection($"Data Source={Path.Combine(data, "portal.db")}");
            await db.OpenAsync();
            await using var check = db.CreateCommand();
            check.CommandText = "PRAGMA integrity_check;";
            Assert.Equal("ok", await check.ExecuteScalarAsync());
        }
        finally
        {
            await TestEnvironment.RunAsync("umount", null, "-l", data);
        }
    }

    private static MultipartFormDataContent Upload(string name, int bytes) => new()
    {
        { new StringContent(name), "name" },
        { new ByteArrayContent(new byte[bytes]), "files", "data.bin" },
    };
}
