using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Persistence;
using Portal.Core.Security;
using Portal.Tests.Unit.Support;

namespace Portal.Tests.Unit.Persistence;

/// <summary>The Settings page's "Test connection" for the metadata store: what it finds on SQLite and PostgreSQL, and a server that is not there.</summary>
public sealed class MetadataStoreProbeTests
{
    [SkippableTheory]
    [InlineData("sqlite", "Reached SQLite")]
    [InlineData("postgres", "Reached PostgreSQL 1")]
    public async Task The_store_the_portal_runs_on_answers_with_what_it_holds(string type, string says)
    {
        await using var portal = await RealPortalHost.StartAsync(storeYaml: type == "postgres" ? await RealPortalHost.PostgresStoreYamlAsync() : "");
        (await portal.Http.PostAsJsonAsync("/api/v1/models", new { name = "iris-clf" })).EnsureSuccessStatusCode();
        using var admin = ActorContext.Use(new Actor("ada", [Roles.Admin], null));
        var report = await portal.Services.GetRequiredService<MetadataStoreProbe>().ProbeAsync(CancellationToken.None);
        Assert.True(report.Ready, report.Summary);
        Assert.StartsWith(says, report.Summary);
        Assert.Contains($"schema version {SchemaMigrator.LatestVersion} of {SchemaMigrator.LatestVersion}", report.Summary);
        Assert.Contains("1 models", report.Summary);
        Assert.DoesNotContain(RealPostgres.Password, report.Store + report.Summary);
    }

    [Fact]
    public async Task Only_an_admin_may_test_the_metadata_store()
    {
        await using var portal = await RealPortalHost.StartAsync();
        using var dana = ActorContext.Use(new Actor("dana", [Roles.DataScientist], null));
        await Assert.ThrowsAsync<Portal.Core.Errors.AccessDeniedException>(
            () => portal.Services.GetRequiredService<MetadataStoreProbe>().ProbeAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_server_that_is_not_there_is_a_clear_configuration_problem()
    {
        var store = MetadataStore.Postgres($"Host=127.0.0.1;Port={Portal.Tests.Shared.TestEnvironment.FreePort()};Database=portal;Username=portal;Password=hidden;Timeout=3");
        var e = await Assert.ThrowsAsync<Portal.Core.Configuration.ConfigException>(() => store.OpenAsync(CancellationToken.None));
        Assert.Contains("The metadata store (PostgreSQL 127.0.0.1:", e.Message);
        Assert.Contains("Check store.connection_string", e.Message);
        Assert.DoesNotContain("hidden", e.Message);
    }
}
