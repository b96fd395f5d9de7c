using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Portal.Core.Security;
using Portal.Tests.Unit.Support;

namespace Portal.Tests.Unit.Ide;

/// <summary>The admin-curated IDE image list through the API of the portal in memory (real SQLite).</summary>
public class IdeImageCatalogTests : PortalApiTest
{
    [Fact]
    public async Task Admins_curate_the_images_a_session_may_use_and_the_change_is_checked_and_audited()
    {
        var initial = await Admin.GetFromJsonAsync<JsonElement>("/api/v1/settings/ide-images");
        Assert.Equal("portal.yaml", initial.GetProperty("source").GetString());
        Assert.Equal("portal/notebook-base:latest", initial.GetProperty("images")[0].GetProperty("image").GetString());

        var invalid = await Admin.PutAsJsonAsync("/api/v1/settings/ide-images", new[]
        {
            new { name = "base", image = "Portal/Notebook Base", desc = "" },
            new { name = "base", image = "portal/notebook-base:latest", desc = "" },
        });
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        var errors = (await invalid.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Contains("not an image reference", errors.GetProperty("images[0].image")[0].GetString());
        Assert.Contains("listed twice", errors.GetProperty("images[1].name")[0].GetString());

        using var ds = await App.CreateClientAsync("dana", Roles.DataScientist);
        Assert.Equal(HttpStatusCode.Forbidden, (await ds.PutAsJsonAsync("/api/v1/settings/ide-images", new[] { new { name = "x", image = "x:1" } })).StatusCode);

        var saved = await Admin.PutAsJsonAsync("/api/v1/settings/ide-images", new[]
        {
            new { name = "base", image = "portal/notebook-base:latest", desc = "Python, pandas, scikit-learn" },
            new { name = "scipy", image = "registry.example.com:5000/jupyter/scipy-notebook:2024-05", desc = "SciPy stack" },
        });
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        var now = await ds.GetFromJsonAsync<JsonElement>("/api/v1/settings/ide-images");
        Assert.Equal("portal", now.GetProperty("source").GetString());
        Assert.Equal("admin", now.GetProperty("updated_by").GetString());
        Assert.Equal(2, now.GetProperty("images").GetArrayLength());

        // A session may use a listed image (or a project's build), nothing else; the check comes before anything starts.
        var refused = await ds.PostAsJsonAsync("/api/v1/ide", new { name = "lab", image = "someone/else:latest" });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("neither one of the IDE images", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("image")[0].GetString());

        var audit = await Admin.GetStringAsync("/api/v1/audit?target=ide.images");
        Assert.Contains("\"action\":\"create portal setting\"", audit);
        Assert.Equal(HttpStatusCode.NoContent, (await Admin.DeleteAsync("/api/v1/settings/ide-images")).StatusCode);
        Assert.Equal("portal.yaml", (await ds.GetFromJsonAsync<JsonElement>("/api/v1/settings/ide-images")).GetProperty("source").GetString());
        Assert.Contains("\"action\":\"delete portal setting\"", await Admin.GetStringAsync("/api/v1/audit?target=ide.images"));
    }
}
