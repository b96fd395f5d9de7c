using Microsoft.EntityFrameworkCore;
using Portal.Core.Entities;
using Portal.Core.Stores;

namespace Portal.Core.Persistence;

public sealed class EfBuildStore(IDbContextFactory<PortalDbContext> factory) : IBuildStore
{
    public async Task<IReadOnlyList<BuildVersion>> ListAsync(long projectId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var list = await db.BuildVersions.AsNoTracking().Where(b => b.ProjectId == projectId).ToListAsync(ct);
        return list.OrderByDescending(b => b.BuiltAt).ThenBy(b => b.Tag, StringComparer.Ordinal).ToList();
    }

    public async Task<BuildVersion?> FindAsync(long projectId, string tag, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.BuildVersions.AsNoTracking().SingleOrDefaultAsync(b => b.ProjectId == projectId && b.Tag == tag, ct);
    }

    public async Task<bool> AnyWithImageAsync(string image, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.BuildVersions.AnyAsync(b => b.Image == image, ct);
    }

    public async Task<BuildVersion> SaveAsync(BuildVersion version, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var entity = await db.BuildVersions.SingleOrDefaultAsync(b => b.ProjectId == version.ProjectId && b.Tag == version.Tag, ct);
        if (entity is null) db.BuildVersions.Add(entity = new BuildVersion { ProjectId = version.ProjectId, Tag = version.Tag });
        entity.DockerId = version.DockerId;
        entity.GitVersion = version.GitVersion;
        entity.BuiltAt = version.BuiltAt;
        entity.BuiltFrom = version.BuiltFrom;
        entity.Image = version.Image;
        entity.LogKey = version.LogKey;
        await StoreQueries.SaveAsync(db, $"The build '{version.Tag}'", ct);
        return entity;
    }
}
