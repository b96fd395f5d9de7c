using System.Net.Http.Json;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Services;
using Portal.Tests.Unit.Support;

namespace Portal.Tests.Unit.Services;

/// <summary>
/// Uploads of one model that leave the version name to the portal, begun before any of them commits (trials of a sweep
/// publishing at once): each gets its own number and none is refused, on SQLite and on PostgreSQL.
/// </summary>
public sealed class ConcurrentPublishTests
{
    [SkippableTheory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Unnamed_uploads_begun_together_each_get_their_own_number(string store)
    {
        await using var portal = await RealPortalHost.StartAsync(storeYaml: store == "postgres" ? await RealPortalHost.PostgresStoreYamlAsync() : "");
        (await portal.Http.PostAsJsonAsync("/api/v1/models", new { name = "race" })).EnsureSuccessStatusCode();
        var versions = portal.Services.GetRequiredService<ModelVersionService>();

        // All four read the names before any is stored, so all four were offered the same number.
        var uploads = new List<ModelVersionUpload>();
        for (var i = 0; i < 4; i++) uploads.Add(await versions.BeginUploadAsync("race", new VersionDraft(), CancellationToken.None));
        try
        {
            for (var i = 0; i < uploads.Count; i++)
                await uploads[i].AddFileAsync("model.txt", new MemoryStream(Encoding.UTF8.GetBytes($"upload {i}")), CancellationToken.None);
            var made = await Task.WhenAll(uploads.Select(u => u.CommitAsync(CancellationToken.None)));

            Assert.Equal(["1", "2", "3", "4"], made.Select(v => v.Name).Order(StringComparer.Ordinal));
            // Each version holds its own upload's file: four different texts.
            var texts = new HashSet<string>();
            foreach (var version in made)
            {
                var file = await versions.OpenFileAsync("race", version.Name, "model.txt", CancellationToken.None);
                using var reader = new StreamReader(file.Content);
                texts.Add(await reader.ReadToEndAsync());
            }
            Assert.Equal(4, texts.Count);
        }
        finally
        {
            foreach (var upload in uploads) await upload.DisposeAsync();
        }
    }
}
