using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Configuration;
using Portal.Core.Security;

namespace Portal.Core.Persistence;

/// <summary>What a test of the metadata store found: where it is, whether it answered, and what it holds.</summary>
public sealed record StoreReport(string Store, bool Ready, string Summary);

/// <summary>
/// Reaches the metadata store the portal runs on and says what it found (the Settings page's "Test connection"). The
/// store itself is chosen in portal.yaml only: the saved settings live in it.
/// </summary>
public sealed class MetadataStoreProbe(MetadataStore store, IDbContextFactory<PortalDbContext> factory, AuditLog audit)
{
    public string Describe() => store.Describe();

    public async Task<StoreReport> ProbeAsync(CancellationToken ct)
    {
        await audit.DemandAsync(Roles.Admin, "test the metadata store", null, ct);
        try
        {
            await using var connection = await store.OpenAsync(ct);
            var server = $"{(store.IsPostgres ? "PostgreSQL" : "SQLite")} {connection.ServerVersion}";
            var version = await SchemaMigrator.CurrentVersionAsync(connection, ct);
            await using var db = await factory.CreateDbContextAsync(ct);
            var counts = new (string What, int Count)[]
            {
                ("projects", await db.Projects.CountAsync(ct)), ("models", await db.Models.CountAsync(ct)),
                ("datasets", await db.Datasets.CountAsync(ct)), ("trainings", await db.Trainings.CountAsync(ct)),
                ("model versions", await db.ModelVersions.CountAsync(ct)), ("deployments", await db.Deployments.CountAsync(ct)),
                ("users", await db.Users.CountAsync(ct)),
            };
            return new StoreReport(store.Describe(), true, $"Reached {server}; schema version {version} of {SchemaMigrator.LatestVersion}; " +
                string.Join(", ", counts.Select(c => $"{c.Count.ToString(CultureInfo.InvariantCulture)} {c.What}")) + ".");
        }
        catch (ConfigException e)
        {
            return new StoreReport(store.Describe(), false, e.Problems[0].Message);
        }
    }
}
