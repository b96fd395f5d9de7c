using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Portal.Tests.Unit.Support;

namespace Portal.Tests.Unit.Api;

/// <summary>The REST API through the in-memory host: real routing, real SQLite file, real file store.</summary>
public class ApiTests() : PortalApiTest("file_store:\n  max_upload_mb: 0.5\n")
{
    private static async Task<JsonElement> JsonAsync(HttpResponseMessage r) => (await r.Content.ReadFromJsonAsync<JsonElement>());

    private Task<HttpResponseMessage> PostJsonAsync(string url, string json) =>
        Admin.PostAsync(url, new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

    [Fact]
    public async Task Projects_support_create_get_list_update_delete()
    {
        (await PostJsonAsync("/api/v1/models", """{"name":"iris"}""")).EnsureSuccessStatusCode();
        var created = await PostJsonAsync("/api/v1/projects", """{"name":"iris-proj","desc":"Iris","git_repo":"https://g/iris.git","models":["iris"]}""");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("/api/v1/projects/iris-proj", created.Headers.Location!.ToString());

        var got = await JsonAsync(await Admin.GetAsync("/api/v1/projects/iris-proj"));
        Assert.Equal("https://g/iris.git", got.GetProperty("git_repo").GetString());
        Assert.Equal("iris", got.GetProperty("models")[0].GetString());

        var updated = await Admin.PutAsync("/api/v1/projects/iris-proj", new StringContent("""{"name":"iris-renamed","models":[]}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);

        var list = await JsonAsync(await Admin.GetAsync("/api/v1/projects?search=renamed&take=10"));
        Assert.Equal(1, list.GetProperty("total").GetInt32());
        Assert.Equal(0, list.GetProperty("items")[0].GetProperty("models").GetArrayLength());

        Assert.Equal(HttpStatusCode.NoContent, (await Admin.DeleteAsync("/api/v1/projects/iris-renamed")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Admin.GetAsync("/api/v1/projects/iris-renamed")).StatusCode);
    }

    [Fact]
    public async Task Invalid_input_gets_problem_details_naming_each_field()
    {
        var r = await PostJsonAsync("/api/v1/projects", """{"name":"Not Valid","home_dir":"rel"}""");
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType!.MediaType);
        var problem = await JsonAsync(r);
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.Contains("'Not Valid'", problem.GetProperty("errors").GetProperty("name")[0].GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty("home_dir", out _));
    }

    [Fact]
    public async Task Malformed_json_is_a_bad_request_not_a_crash()
    {
        var r = await PostJsonAsync("/api/v1/models", """{"name": "x", "data_files": [ }""");
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
    }

    [Fact]
    public async Task Unknown_things_are_404_with_a_sentence()
    {
        var r = await Admin.GetAsync("/api/v1/models/nope");
        Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        Assert.Equal("There is no model named 'nope'.", (await JsonAsync(r)).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Datasets_upload_as_multipart_then_list_and_download()
    {
        (await PostJsonAsync("/api/v1/models", """{"name":"iris","data_files":[{"name":"train.csv","required":true,"max_mb":0.01}]}""")).EnsureSuccessStatusCode();

        var tooBig = await Admin.PostAsync("/api/v1/models/iris/datasets", Multipart("ds1", ("train.csv", new byte[20_000])));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooBig.StatusCode);
        Assert.Contains("max_mb", (await JsonAsync(tooBig)).GetProperty("detail").GetString());

        var ok = await Admin.PostAsync("/api/v1/models/iris/datasets", Multipart("ds1", ("train.csv", "a,b\n1,2\n"u8.ToArray()), ("notes.txt", "hi"u8.ToArray())));
        Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
        var ds = await JsonAsync(ok);
        Assert.Equal(2, ds.GetProperty("files").GetArrayLength());

        var list = await JsonAsync(await Admin.GetAsync("/api/v1/datasets?model=iris"));
        Assert.Equal("ds1", list.GetProperty("items")[0].GetProperty("name").GetString());

        var file = await Admin.GetAsync("/api/v1/models/iris/datasets/ds1/files/train.csv");
        Assert.Equal("a,b\n1,2\n", await file.Content.ReadAsStringAsync());
        Assert.Equal("train.csv", file.Content.Headers.ContentDisposition!.FileName);
    }

    [Fact]
    public async Task An_upload_over_the_global_limit_is_refused()
    {
        (await PostJsonAsync("/api/v1/models", """{"name":"iris"}""")).EnsureSuccessStatusCode();
        var r = await Admin.PostAsync("/api/v1/models/iris/datasets", Multipart("big", ("a.bin", new byte[600_000])));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, r.StatusCode);
        Assert.Equal(0, (await JsonAsync(await Admin.GetAsync("/api/v1/datasets"))).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task The_plan_check_answers_before_any_upload()
    {
        (await PostJsonAsync("/api/v1/models", """{"name":"iris","data_files":[{"name":"train.csv","required":true,"max_mb":0.01}]}""")).EnsureSuccessStatusCode();
        var r = await PostJsonAsync("/api/v1/models/iris/datasets/check", """{"name":"ds1","compress":false,"files":[{"name":"train.csv","size":20000}]}""");
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Contains("max_mb", (await JsonAsync(r)).GetProperty("errors").GetProperty("files")[0].GetString());
        r = await PostJsonAsync("/api/v1/models/iris/datasets/check", """{"name":"ds1","compress":false,"files":[{"name":"train.csv","size":200}]}""");
        Assert.Equal(HttpStatusCode.NoContent, r.StatusCode);
    }

    [Fact]
    public async Task Deleting_a_model_removes_its_datasets()
    {
        (await PostJsonAsync("/api/v1/models", """{"name":"iris"}""")).EnsureSuccessStatusCode();
        (await Admin.PostAsync("/api/v1/models/iris/datasets", Multipart("ds1", ("a.csv", [1])))).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.NoContent, (await Admin.DeleteAsync("/api/v1/models/iris")).StatusCode);
        Assert.Equal(0, (await JsonAsync(await Admin.GetAsync("/api/v1/datasets"))).GetProperty("total").GetInt32());
        Assert.Empty(Directory.GetFiles(Path.Combine(App.DataDir, "files"), "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Openapi_document_and_swagger_ui_are_served()
    {
        var doc = await JsonAsync(await Admin.GetAsync("/swagger/v1/swagger.json"));
        var paths = doc.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/v1/projects", out _));
        Assert.True(paths.TryGetProperty("/api/v1/models/{model}/datasets", out _));
        Assert.Equal(HttpStatusCode.OK, (await Admin.GetAsync("/swagger/index.html")).StatusCode);
    }

    [Fact]
    public async Task Pages_serve_the_interactive_shell_and_its_scripts()
    {
        var html = await Admin.GetStringAsync("/projects");
        Assert.Contains("_framework/blazor.web.js", html);
        Assert.Contains("_content/MudBlazor/MudBlazor.min.js", html);
        Assert.DoesNotContain("Radzen", html);
        Assert.Contains("<!--Blazor:", html);
        Assert.Equal(HttpStatusCode.OK, (await Admin.GetAsync("/_framework/blazor.web.js")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Admin.GetAsync("/assets/js/portal.js")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Admin.GetAsync("/_content/MudBlazor/MudBlazor.min.js")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Admin.GetAsync("/_content/MudBlazor/MudBlazor.min.css")).StatusCode);
        Assert.Contains("assets/img/favicon.svg", html);
        var icon = await Admin.GetAsync("/assets/img/favicon.svg");
        Assert.Equal(HttpStatusCode.OK, icon.StatusCode);
        Assert.Equal("image/svg+xml", icon.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task An_unknown_address_is_the_not_found_page_for_a_browser_and_problem_details_for_the_api()
    {
        var page = new HttpRequestMessage(HttpMethod.Get, "/no/such/page");
        page.Headers.Accept.ParseAdd("text/html,application/xhtml+xml");
        var answer = await Admin.SendAsync(page);
        Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
        Assert.Equal("text/html", answer.Content.Headers.ContentType?.MediaType);
        Assert.Contains("This page does not exist", await answer.Content.ReadAsStringAsync());

        var api = await Admin.GetAsync("/api/v1/no-such-thing");
        Assert.Equal(HttpStatusCode.NotFound, api.StatusCode);
        Assert.Equal("application/problem+json", api.Content.Headers.ContentType?.MediaType);
    }

    private static MultipartFormDataContent Multipart(string name, params (string File, byte[] Bytes)[] files)
    {
        var form = new MultipartFormDataContent { { new StringContent(name), "name" } };
        foreach (var (file, bytes) in files)
        {
            var part = new ByteArrayContent(bytes);
            part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            form.Add(part, "files", file);
        }
        return form;
    }
}
