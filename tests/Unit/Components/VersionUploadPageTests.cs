using System.Net.Http.Json;
using Bunit;
using Portal.Core.Services;
using Portal.Web.Components.Shared;
using Portal.Web.Features.ModelVersions;

namespace Portal.Tests.Unit.Components;

/// <summary>A version upload said "ok" for files lacking a required one and was refused only after sending them all.</summary>
public sealed class VersionUploadPageTests : PortalPageContext
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        (await Admin.PostAsJsonAsync("/api/v1/models", new { name = "iris-clf", model_files = new[] { new { name = "model.pkl", required = true } } }))
            .EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task Files_without_a_required_one_are_refused_before_any_byte_is_sent_and_the_list_says_which_is_missing()
    {
        var page = Render<VersionUploadPage>();
        page.WaitForElement("#version-files-input");
        var uploader = page.FindComponent<ArtifactUploader>();
        await page.InvokeAsync(() => uploader.Instance.OnFilesChosen([new PlannedFile("weights.bin", 10)]));

        var missing = page.Find("#chosen-files .missing-file");
        Assert.Contains("model.pkl", missing.TextContent);
        Assert.Contains("required, not chosen", missing.TextContent);

        await page.Find("form").SubmitAsync();
        page.WaitForAssertion(() => Assert.Contains("The model 'iris-clf' requires the file 'model.pkl'", page.Find("#files-error").TextContent));
        Assert.DoesNotContain(JSInterop.Invocations, i => i.Identifier == "portal.upload");
    }

    [Fact]
    public async Task With_the_required_file_the_upload_is_sent()
    {
        var page = Render<VersionUploadPage>();
        page.WaitForElement("#version-files-input");
        var uploader = page.FindComponent<ArtifactUploader>();
        await page.InvokeAsync(() => uploader.Instance.OnFilesChosen([new PlannedFile("model.pkl", 10)]));
        Assert.Empty(page.FindAll("#chosen-files .missing-file"));
        // The browser's XHR is not here: the portal's answer to it is played back.
        JSInterop.Setup<ArtifactUploader.UploadResult>("portal.upload", _ => true)
            .SetResult(new ArtifactUploader.UploadResult(400, """{"title":"Invalid","errors":{"name":["Pick another name."]}}"""));
        await page.Find("form").SubmitAsync();
        page.WaitForAssertion(() => Assert.Contains(JSInterop.Invocations, i => i.Identifier == "portal.upload"));
    }
}
