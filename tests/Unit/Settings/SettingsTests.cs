using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Configuration;
using Portal.Core.Errors;
using Portal.Core.Security;
using Portal.Core.Settings;
using Portal.Tests.Unit.Support;

namespace Portal.Tests.Unit.Settings;

/// <summary>Admin settings through the API of a real portal: YAML round trips, refusals that name the field, live changes, restart-only fields, the connection test.</summary>
public sealed class SettingsTests
{
    private static StringContent Yaml(string text) => new(text, Encoding.UTF8, "application/yaml");

    private static async Task<string> ExportAsync(HttpClient http) =>
        string.Join('\n', (await http.GetStringAsync("/api/v1/settings/export")).Split('\n').Where(l => !l.StartsWith('#')));

    [Fact]
    public async Task Exported_settings_import_back_unchanged_and_read_as_portal_yaml()
    {
        await using var portal = await RealPortalHost.StartAsync();
        var changed = await portal.Http.PostAsync("/api/v1/settings/import", Yaml("""
            container_manager:
              resource_profiles:
                gpu-big:
                  requests: {cpu: 2.5, memory: 8192}
                  limits: {cpu: 4, memory: 16384}
                  enable_gpu: true
                  auto_scale: true
                  minReplicas: 1
                  maxReplicas: 3
                  targetCPUUtilizationPercentage: 70
              healthcheck: {enabled: true, interval: 10}
            router: {timeout_seconds: 12}
            environments: [dev, staging, prod]
            ide:
              images:
                - {name: base, image: "portal/notebook-base:latest"}
                - {name: scipy, image: "example/scipy:1", desc: SciPy stack}
            """));
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        var imported = await changed.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["container_manager", "router", "environments", "ide.images"], imported.GetProperty("imported").EnumerateArray().Select(e => e.GetString()));

        var first = await ExportAsync(portal.Http);
        var parsed = PortalConfigLoader.Parse(first, "export");
        Assert.Equal(["dev", "staging", "prod"], parsed.Environments);
        Assert.Equal(2.5, parsed.ContainerManager.ResourceProfiles["gpu-big"].Requests!.Cpu);
        Assert.Equal(70, parsed.ContainerManager.ResourceProfiles["gpu-big"].TargetCpuUtilizationPercentage);
        Assert.Equal(["base", "scipy"], parsed.Ide.Images.Select(i => i.Name));

        Assert.Equal(HttpStatusCode.OK, (await portal.Http.PostAsync("/api/v1/settings/import", Yaml(first))).StatusCode);
        Assert.Equal(first, await ExportAsync(portal.Http));

        // Applied without a restart: the running portal uses the new profile and timeout at once.
        var live = portal.Services.GetRequiredService<PortalConfig>();
        Assert.Equal(12, live.Router.TimeoutSeconds);
        Assert.True(live.ContainerManager.ResourceProfiles.ContainsKey("gpu-big"));
        Assert.Equal(["dev", "staging", "prod"], live.Environments);

        var audit = await portal.Http.GetFromJsonAsync<JsonElement>("/api/v1/audit?target=config.router");
        Assert.Contains(audit.GetProperty("items").EnumerateArray(), e => e.GetProperty("actor").GetString() == "admin");
    }

    [Fact]
    public async Task Invalid_settings_are_refused_with_the_field_and_reason_and_nothing_is_saved()
    {
        await using var portal = await RealPortalHost.StartAsync();
        var before = await ExportAsync(portal.Http);

        async Task<string> RefusedAsync(string yaml)
        {
            var response = await portal.Http.PostAsync("/api/v1/settings/import", Yaml(yaml));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            return await response.Content.ReadAsStringAsync();
        }
        var limits = await RefusedAsync("router: {timeout_seconds: 5}\ncontainer_manager:\n  resource_profiles:\n    big:\n      requests: {cpu: 4}\n      limits: {cpu: 2}\n");
        Assert.Contains("container_manager.resource_profiles.big.requests.cpu", limits);
        Assert.Contains("more than the limit", limits);
        Assert.Contains("Line 5, column", limits);
        Assert.Contains("is set in portal.yaml only", await RefusedAsync("store: {data_dir: /tmp/elsewhere}\nrouter: {timeout_seconds: 5}\n"));
        Assert.Contains("not valid YAML", await RefusedAsync("router: [unclosed\n"));
        Assert.Contains("nothing to import", await RefusedAsync("{}\n"));
        Assert.Contains("Paste portal.yaml text", await RefusedAsync("# only a comment\n"));
        Assert.Contains("Only ide.images can be imported", await RefusedAsync("ide: {cull_idle_seconds: 60}\n"));
        Assert.Equal(before, await ExportAsync(portal.Http));

        // The settings pages save one section at a time; each problem is keyed by its YAML path.
        var settings = portal.Services.GetRequiredService<PortalSettings>();
        using var admin = ActorContext.Use(new Actor("admin", [Roles.Admin], "test"));
        var edited = (await settings.GetAsync(CancellationToken.None)).Saved;
        edited.ContainerManager.ApiTimeout = 0;
        edited.ContainerManager.Healthcheck.Retries = 0;
        var refused = await Assert.ThrowsAsync<ValidationFailedException>(() => settings.SaveAsync(SettingsSections.ContainerManager, edited, CancellationToken.None));
        Assert.Contains("above 0", refused.Errors["container_manager.api_timeout"][0]);
        Assert.Contains("at least 1", refused.Errors["container_manager.healthcheck.retries"][0]);
        Assert.Equal(20, portal.Services.GetRequiredService<PortalConfig>().ContainerManager.ApiTimeout);
    }

    [Fact]
    public async Task An_environment_in_use_cannot_be_dropped()
    {
        await using var portal = await RealPortalHost.StartAsync();
        (await portal.Http.PostAsJsonAsync("/api/v1/models", new { name = "m", model_files = new[] { new { name = "w.bin", required = true } } })).EnsureSuccessStatusCode();
        (await portal.Http.PostAsync("/api/v1/models/m/versions", new MultipartFormDataContent { { new ByteArrayContent([1]), "files", "w.bin" } })).EnsureSuccessStatusCode();
        (await portal.Http.PostAsJsonAsync("/api/v1/models/m/versions/1/promote", new { environment = "test", comment = "ok" })).EnsureSuccessStatusCode();

        var refused = await portal.Http.PostAsync("/api/v1/settings/import", Yaml("environments: [dev, prod]\n"));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("'test' is still in use (1 model version is promoted to it)", await refused.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await portal.Http.PostAsync("/api/v1/settings/import", Yaml("environments: [dev, test, qa, prod]\n"))).StatusCode);
        Assert.Equal(["dev", "test", "qa", "prod"], portal.Services.GetRequiredService<PortalConfig>().Environments);
    }

    [Fact]
    public async Task Start_up_only_fields_wait_for_a_restart_and_a_reset_goes_back_to_portal_yaml()
    {
        var portal = await RealPortalHost.StartAsync();
        var saved = await (await portal.Http.PostAsync("/api/v1/settings/import", Yaml("file_store: {max_upload_mb: 5}\nrouter: {enabled: false}\n"))).Content.ReadFromJsonAsync<JsonElement>();
        var pending = Assert.Single(saved.GetProperty("pending_restart").EnumerateArray());
        Assert.Equal(("file_store.max_upload_mb", "1024", "5"), (pending.GetProperty("path").GetString(), pending.GetProperty("running").GetString(), pending.GetProperty("saved").GetString()));
        var live = portal.Services.GetRequiredService<PortalConfig>();
        Assert.Equal(1024, live.FileStore.MaxUploadMb);
        // router.enabled applies at once: the router refuses, saying why.
        var off = await portal.Http.GetAsync("/model/anything/api/model/info");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, off.StatusCode);
        Assert.Contains("router.enabled", await off.Content.ReadAsStringAsync());

        await using var restarted = await RealPortalHost.StartAsync(dir: await portal.StopKeepingDataAsync());
        Assert.Equal(5, restarted.Services.GetRequiredService<PortalConfig>().FileStore.MaxUploadMb);
        var view = await restarted.Http.GetFromJsonAsync<JsonElement>("/api/v1/settings");
        Assert.Empty(view.GetProperty("pending_restart").EnumerateArray());
        Assert.Equal("portal", view.GetProperty("sections").GetProperty("file_store").GetProperty("source").GetString());

        var reset = await (await restarted.Http.DeleteAsync("/api/v1/settings/file_store")).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("1024", Assert.Single(reset.GetProperty("pending_restart").EnumerateArray()).GetProperty("saved").GetString());
        Assert.Equal(HttpStatusCode.OK, (await restarted.Http.DeleteAsync("/api/v1/settings/router")).StatusCode);
        Assert.True(restarted.Services.GetRequiredService<PortalConfig>().Router.Enabled);
        Assert.Equal(HttpStatusCode.BadRequest, (await restarted.Http.DeleteAsync("/api/v1/settings/store")).StatusCode);
    }

    /// <summary>
    /// The S3 secret key comes from portal.yaml or the environment and stays there: saving the file store section, or
    /// exporting the settings, never writes it to the settings table or shows it; after a restart the saved section and
    /// the file's secret work together.
    /// </summary>
    [SkippableFact]
    public async Task The_s3_secret_key_is_never_saved_in_settings_or_exported()
    {
        const string Secret = "never-in-the-settings-table-7f3a";
        await using var s3 = await RealS3.StartAsync();
        var yaml = s3.FileStoreYaml.Replace($"secret_key: {RealS3.SecretKey}", $"secret_key: {Secret}", StringComparison.Ordinal);
        var portal = await RealPortalHost.StartAsync(yaml);
        var saved = await portal.Http.PostAsync("/api/v1/settings/import", Yaml(
            $"file_store:\n  type: s3\n  max_upload_mb: 5\n  s3: {{endpoint: '{s3.Endpoint}', bucket: {RealS3.Bucket}, path_style: true, access_key: {RealS3.AccessKey}}}\n"));
        Assert.True(saved.IsSuccessStatusCode, await saved.Content.ReadAsStringAsync());
        Assert.DoesNotContain(Secret, await portal.Http.GetStringAsync("/api/v1/settings/export"));
        Assert.DoesNotContain(Secret, await portal.Http.GetStringAsync("/api/v1/settings"));
        var store = portal.Services.GetRequiredService<Portal.Core.Persistence.MetadataStore>();
        await using (var connection = await store.OpenAsync(CancellationToken.None))
        await using (var read = connection.CreateCommand())
        {
            read.CommandText = "SELECT \"Value\" FROM settings";
            await using var rows = await read.ExecuteReaderAsync();
            while (await rows.ReadAsync()) Assert.DoesNotContain(Secret, rows.GetString(0));
        }

        // Restarted with the same portal.yaml: the saved section applies, the file's secret with it, and uploads work.
        await using var restarted = await RealPortalHost.StartAsync(yaml, dir: await portal.StopKeepingDataAsync());
        var running = restarted.Services.GetRequiredService<PortalConfig>().FileStore;
        Assert.Equal((5d, Secret), (running.MaxUploadMb, running.S3.SecretKey));
        (await restarted.Http.PostAsJsonAsync("/api/v1/models", new { name = "m" })).EnsureSuccessStatusCode();
        using var form = new MultipartFormDataContent { { new StringContent("d"), "name" }, { new ByteArrayContent("a,b\n1,2\n"u8.ToArray()), "files", "rows.csv" } };
        var uploaded = await restarted.Http.PostAsync("/api/v1/models/m/datasets", form);
        Assert.True(uploaded.IsSuccessStatusCode, await uploaded.Content.ReadAsStringAsync());
    }

    [SkippableFact]
    public async Task The_connection_test_reports_what_it_found_or_what_to_fix()
    {
        RealPython.Require();
        await using var portal = await RealPortalHost.StartAsync();
        async Task<JsonElement> TestAsync(string yaml) =>
            await (await portal.Http.PostAsync("/api/v1/settings/test-connection", Yaml(yaml))).Content.ReadFromJsonAsync<JsonElement>();

        var local = await TestAsync("");
        Assert.True(local.GetProperty("ready").GetBoolean(), local.ToString());
        Assert.Contains("Local processes", local.GetProperty("summary").GetString());

        var down = await TestAsync("container_manager: {type: docker, api_timeout: 3}\ndocker: {daemon_address: 'tcp://127.0.0.1:1'}\n");
        Assert.False(down.GetProperty("ready").GetBoolean());
        Assert.Contains("127.0.0.1:1", down.ToString());

        var kube = await TestAsync("container_manager: {type: kube}\n");
        Assert.False(kube.GetProperty("ready").GetBoolean());
        Assert.Contains("kubeconfig", kube.ToString());

        await RealDocker.RequireAsync();
        var swarm = await TestAsync("container_manager: {type: swarm}\n");
        Assert.True(swarm.GetProperty("ready").GetBoolean(), swarm.ToString());
        Assert.Contains("swarm active", swarm.GetProperty("summary").GetString());
        Assert.True(swarm.GetProperty("portal_workloads").GetInt32() >= 0);
        // The running portal was not switched: it still runs local processes.
        Assert.Equal("local", portal.Services.GetRequiredService<PortalConfig>().ContainerManager.Type);
    }
}
