using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Configuration;
using Portal.Tests.Unit.Support;

namespace Portal.Tests.Unit.Noronha;

/// <summary>Noronha's nha.yaml through the settings import of a real portal: what has a counterpart is saved, the rest listed with lines.</summary>
public sealed class NhaYamlImportTests
{
    // Noronha's documented default configuration, with the profiles and healthcheck of its configuration guide.
    private const string NhaYaml = """
        project:
          working_project: null
        logger:
          level: INFO
        mongo:
          native: true
          port: 30017
        router:
          native: true
          port: 30080
        file_store:
          native: true
          type: artif
        docker:
          daemon_address: unix:/var/run/docker.sock
          target_registry: registry.example.com:5000
        container_manager:
          type: swarm
          api_timeout: 30
          resource_profiles:
            nha-train:
              requests: {memory: 2048, cpu: 2}
              limits: {memory: 4096, cpu: 4}
            elastic_deploy:
              auto_scale: true
              minReplicas: 1
              maxReplicas: 10
              targetCPUUtilizationPercentage: 50
              requests: {memory: 256, cpu: 1}
              limits: {memory: 512, cpu: 2}
          healthcheck:
            enabled: true
            interval: 15
          swarm_extra: 1
        web_server:
          type: gunicorn
        """;

    private static StringContent Yaml(string text) => new(text, Encoding.UTF8, "application/yaml");

    [Fact]
    public async Task An_nha_yaml_imports_what_has_a_counterpart_and_lists_the_rest_with_lines()
    {
        await using var portal = await RealPortalHost.StartAsync();
        var response = await portal.Http.PostAsync("/api/v1/settings/import?format=noronha", Yaml(NhaYaml));
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["container_manager", "docker"], body.GetProperty("imported").EnumerateArray().Select(e => e.GetString()));
        var ignored = body.GetProperty("ignored").EnumerateArray().ToDictionary(i => i.GetProperty("key").GetString()!, i => i);
        Assert.Equal(["project", "logger", "mongo", "router", "file_store", "container_manager.swarm_extra", "web_server"], ignored.Keys);
        Assert.Equal(5, ignored["mongo"].GetProperty("line").GetInt32());
        Assert.Contains("not MongoDB", ignored["mongo"].GetProperty("reason").GetString());
        Assert.Contains("Artifactory and Nexus", ignored["file_store"].GetProperty("reason").GetString());
        Assert.Equal(34, ignored["container_manager.swarm_extra"].GetProperty("line").GetInt32());

        var saved = PortalConfigLoader.Parse(await portal.Http.GetStringAsync("/api/v1/settings/export"), "export");
        Assert.Equal("swarm", saved.ContainerManager.Type);
        Assert.Equal(30, saved.ContainerManager.ApiTimeout);
        Assert.Equal(4, saved.ContainerManager.ResourceProfiles["nha-train"].Limits!.Cpu);
        Assert.Equal(2048, saved.ContainerManager.ResourceProfiles["nha-train"].Requests!.Memory);
        Assert.True(saved.ContainerManager.ResourceProfiles["elastic-deploy"].AutoScale);
        Assert.Equal(10, saved.ContainerManager.ResourceProfiles["elastic-deploy"].MaxReplicas);
        var renamed = Assert.Single(body.GetProperty("renamed").EnumerateArray());
        Assert.Equal("container_manager.resource_profiles.elastic_deploy", renamed.GetProperty("key").GetString());
        Assert.Equal(24, renamed.GetProperty("line").GetInt32());
        Assert.Contains("named 'elastic-deploy' here", renamed.GetProperty("reason").GetString());
        Assert.True(saved.ContainerManager.Healthcheck.Enabled);
        Assert.Equal(15, saved.ContainerManager.Healthcheck.Interval);
        Assert.Equal("registry.example.com:5000", saved.Docker.TargetRegistry);
        // Applied at once where the portal can (profiles); the manager's type waits for a restart and says so.
        Assert.True(portal.Services.GetRequiredService<PortalConfig>().ContainerManager.ResourceProfiles.ContainsKey("elastic-deploy"));
        Assert.Contains(body.GetProperty("pending_restart").EnumerateArray(), p => p.GetProperty("path").GetString() == "container_manager.type");
    }

    [Fact]
    public async Task A_bad_nha_yaml_is_refused_with_what_to_fix_and_nothing_is_saved()
    {
        await using var portal = await RealPortalHost.StartAsync();
        var before = await portal.Http.GetStringAsync("/api/v1/settings/export");
        async Task<string> RefusedAsync(string yaml, string format = "noronha")
        {
            var response = await portal.Http.PostAsync($"/api/v1/settings/import?format={format}", Yaml(yaml));
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, text);
            return text;
        }
        Assert.Contains("more than the limit", await RefusedAsync("container_manager:\n  resource_profiles:\n    big:\n      requests: {cpu: 4}\n      limits: {cpu: 2}\n"));
        Assert.Contains("mongo (line 1): the metadata store is SQLite or PostgreSQL", await RefusedAsync("mongo: {port: 30017}\n"));
        Assert.Contains("nha.yaml is not valid YAML (line ", await RefusedAsync("docker: [unclosed\n"));
        Assert.Contains("holds no keys", await RefusedAsync("# nothing\n"));
        Assert.Contains("'xml' is not an import format", await RefusedAsync("router: {timeout_seconds: 5}\n", "xml"));
        Assert.Equal(before, await portal.Http.GetStringAsync("/api/v1/settings/export"));
    }
}
