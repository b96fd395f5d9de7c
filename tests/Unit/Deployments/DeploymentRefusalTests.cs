using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Portal.Core.Containers;
using Portal.Tests.Unit.Support;
using Portal.Tests.Unit.Trainings;

namespace Portal.Tests.Unit.Deployments;

/// <summary>
/// What a new user met on embedded defaults: asking for more replicas than the manager runs, or an engine refusing the start.
/// The answer names the user's deployment (never the workload's internal name) and the audit log says it failed.
/// </summary>
public sealed class DeploymentRefusalTests : IAsyncLifetime
{
    private readonly FakeContainerManager _fake = new() { ScriptFor = _ => "sleep 600" };
    private readonly TempDir _files = new();
    private PortalAppFactory _app = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _app = PortalAppFactory.WithManager(_fake);
        _http = await _app.CreateClientAsync();
        TrainingRunTests.WriteNotebook(_files, "iris", "x = 1");
        await File.WriteAllTextAsync(Path.Combine(_files.Path, "iris", "predict.py"), "def load(p): return None\ndef predict(m, d): return d\n");
        (await _http.PostAsJsonAsync("/api/v1/models", new { name = "iris-clf" })).EnsureSuccessStatusCode();
        (await _http.PostAsJsonAsync("/api/v1/projects", new { name = "iris", home_dir = Path.Combine(_files.Path, "iris"), models = new[] { "iris-clf" } }))
            .EnsureSuccessStatusCode();
        using var version = new MultipartFormDataContent { { new ByteArrayContent([1]), "files", "model.pkl" } };
        (await _http.PostAsync("/api/v1/models/iris-clf/versions", version)).EnsureSuccessStatusCode();
    }

    private Task<HttpResponseMessage> DeployAsync(int replicas) => _http.PostAsJsonAsync("/api/v1/deployments",
        new { name = "iris-api", project = "iris", model_version = "iris-clf/1", entry = "predict.py", replicas });

    private async Task<List<(string Action, string Target, string Outcome, string Detail)>> AuditAsync()
    {
        var page = await _http.GetFromJsonAsync<JsonElement>("/api/v1/audit?target=iris-api&take=50");
        return [.. page.GetProperty("items").EnumerateArray().Select(e => (e.GetProperty("action").GetString()!, e.GetProperty("target").GetString() ?? "",
            e.GetProperty("outcome").GetString()!, e.TryGetProperty("detail", out var d) ? d.GetString() ?? "" : ""))];
    }

    [Fact]
    public async Task More_replicas_than_the_manager_runs_is_a_400_naming_the_field_and_nothing_is_recorded_as_created()
    {
        _fake.Capabilities = new ManagerCapabilities { Kind = "local", Containers = false, Replicas = false };
        var refused = await DeployAsync(2);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var body = await refused.Content.ReadAsStringAsync();
        Assert.Contains("runs one replica per deployment", body);
        Assert.DoesNotContain("depl-", body);
        Assert.DoesNotContain(await AuditAsync(), a => a.Action == "create deployment" && a.Outcome.Equals("succeeded", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task An_engine_that_refuses_the_start_is_told_with_the_deployments_name_and_audited_as_failed()
    {
        _fake.ScriptFor = spec => throw new ContainerManagerException($"'{spec.Name}' asks for more than the host has.");
        var refused = await DeployAsync(1);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var body = await refused.Content.ReadAsStringAsync();
        Assert.Contains("iris-api", body);
        Assert.DoesNotContain("depl-", body);
        var audit = await AuditAsync();
        Assert.Contains(audit, a => a.Action == "create deployment" && a.Outcome.Equals("failed", StringComparison.OrdinalIgnoreCase) && a.Detail.Contains("more than the host has"));
        Assert.DoesNotContain(audit, a => a.Outcome.Equals("succeeded", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(0, (await _http.GetFromJsonAsync<JsonElement>("/api/v1/deployments")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task A_deployment_that_starts_is_audited_once_as_created()
    {
        (await DeployAsync(1)).EnsureSuccessStatusCode();
        Assert.Single(await AuditAsync(), a => a.Action == "create deployment" && a.Outcome.Equals("succeeded", StringComparison.OrdinalIgnoreCase));
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.DisposeAsync();
        _files.Dispose();
    }
}
