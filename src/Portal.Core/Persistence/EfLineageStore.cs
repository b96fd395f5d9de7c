using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Entities;
using Portal.Core.Lineage;
using Portal.Core.Stores;
using K = Portal.Core.Lineage.LineageKinds;

namespace Portal.Core.Persistence;

/// <summary>
/// Reads lineage relations with one indexed query per relation (foreign keys, and a JSON scan for a training's
/// datasets), so the cost of a neighbourhood does not grow with the size of the store.
/// </summary>
public sealed class EfLineageStore(IDbContextFactory<PortalDbContext> factory) : ILineageStore
{
    public async Task<LineageNode?> FindAsync(string kind, string name, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        if (kind == K.Deployment) return (await DeploymentsAsync(db.Deployments.Where(d => d.Name == name), 1, ct)).FirstOrDefault();
        if (kind == K.Package) return (await PackagesAsync(db.ModelPackages.Where(p => p.Name == name), 1, ct)).FirstOrDefault();
        if (ReferenceLookups.Split(name) is not var (owner, item)) return null;
        return kind switch
        {
            K.Dataset => (await DatasetsAsync(db.Datasets.Where(d => d.Model!.Name == owner && d.Name == item), 1, ct)).FirstOrDefault(),
            K.Training => (await TrainingsAsync(db.Trainings.Where(t => t.Project!.Name == owner && t.Name == item), 1, ct)).FirstOrDefault(),
            K.Version => (await VersionsAsync(db.ModelVersions.Where(v => v.Model!.Name == owner && v.Name == item), 1, ct)).FirstOrDefault(),
            K.Build => (await BuildsAsync(db.BuildVersions.Where(b => b.Project!.Name == owner && b.Tag == item), 1, ct)).FirstOrDefault(),
            _ => null,
        };
    }

    public async Task<LineageNeighbours> NeighboursAsync(string nodeId, LineageFilter filter, int limit, CancellationToken ct)
    {
        if (K.ParseNodeId(nodeId) is not var (kind, id)) return new LineageNeighbours([], [], 0);
        await using var db = await factory.CreateDbContextAsync(ct);
        var collected = new Collector(nodeId);
        var trainings = Filtered(db.Trainings, filter);
        var versions = Filtered(db.ModelVersions, filter);
        var deployments = Filtered(db.Deployments, filter);
        var datasets = Filtered(db.Datasets, filter);
        var builds = Filtered(db.BuildVersions, filter);
        var packages = Filtered(db.ModelPackages, filter);

        switch (kind)
        {
            case K.Dataset:
                // The training's datasets are a JSON column: each provider reads into it its own way.
                var trainedOn = db.Database.IsNpgsql()
                    ? db.Trainings.FromSqlInterpolated(
                        $"SELECT * FROM trainings WHERE EXISTS (SELECT 1 FROM json_array_elements(trainings.\"Datasets\"::json) j WHERE (j->>'id')::bigint = {id})")
                    : db.Trainings.FromSqlInterpolated(
                        $"SELECT * FROM trainings WHERE EXISTS (SELECT 1 FROM json_each(trainings.Datasets) j WHERE json_extract(j.value, '$.id') = {id})");
                var usedBy = trainings.Where(t => trainedOn.Select(x => x.Id).Contains(t.Id));
                await collected.DownAsync("trained-on", usedBy.Where(t => t.Kind != TrainingKind.Batch), TrainingsAsync, limit, ct);
                await collected.DownAsync("scored", usedBy.Where(t => t.Kind == TrainingKind.Batch), TrainingsAsync, limit, ct);
                await collected.DownAsync("data-of", versions.Where(v => v.DatasetId == id), VersionsAsync, limit, ct);
                await collected.UpAsync("predicted", trainings.Where(t => t.ScoredDatasetId == id), TrainingsAsync, limit, ct);
                break;
            case K.Training:
                var training = await db.Trainings.AsNoTracking().Where(t => t.Id == id)
                    .Select(t => new { t.Datasets, t.BuildVersionId, t.PretrainedId, t.Kind, t.ScoredDatasetId }).SingleOrDefaultAsync(ct);
                if (training is null) break;
                var batch = training.Kind == TrainingKind.Batch;
                var datasetIds = training.Datasets.Where(d => d.Id is not null).Select(d => d.Id!.Value).ToList();
                await collected.UpAsync(batch ? "scored" : "trained-on", datasets.Where(d => datasetIds.Contains(d.Id)), DatasetsAsync, limit, ct);
                await collected.UpAsync("image-of", builds.Where(b => b.Id == training.BuildVersionId), BuildsAsync, limit, ct);
                await collected.UpAsync(batch ? "scored-with" : "pretrained", versions.Where(v => v.Id == training.PretrainedId), VersionsAsync, limit, ct);
                if (training.ScoredDatasetId is { } scoredId)
                    await collected.DownAsync("predicted", datasets.Where(d => d.Id == scoredId), DatasetsAsync, limit, ct);
                await collected.DownAsync("produced", versions.Where(v => v.TrainingId == id), VersionsAsync, limit, ct);
                break;
            case K.Version:
                var version = await db.ModelVersions.AsNoTracking().Where(v => v.Id == id)
                    .Select(v => new { v.TrainingId, v.DatasetId, v.PretrainedId, v.BuildVersionId }).SingleOrDefaultAsync(ct);
                if (version is null) break;
                await collected.UpAsync("produced", trainings.Where(t => t.Id == version.TrainingId), TrainingsAsync, limit, ct);
                await collected.UpAsync("data-of", datasets.Where(d => d.Id == version.DatasetId), DatasetsAsync, limit, ct);
                await collected.UpAsync("pretrained", versions.Where(v => v.Id == version.PretrainedId), VersionsAsync, limit, ct);
                await collected.UpAsync("image-of", builds.Where(b => b.Id == version.BuildVersionId), BuildsAsync, limit, ct);
                await collected.DownAsync("pretrained", versions.Where(v => v.PretrainedId == id), VersionsAsync, limit, ct);
                await collected.DownAsync("pretrained", trainings.Where(t => t.PretrainedId == id && t.Kind != TrainingKind.Batch), TrainingsAsync, limit, ct);
                await collected.DownAsync("scored-with", trainings.Where(t => t.PretrainedId == id && t.Kind == TrainingKind.Batch), TrainingsAsync, limit, ct);
                // A package's deployment hangs off the package: version → package → deployment.
                await collected.DownAsync("deployed", deployments.Where(d => d.ModelVersionId == id && d.PackageId == null), DeploymentsAsync, limit, ct);
                await collected.DownAsync("packaged", packages.Where(p => p.ModelVersionId == id), PackagesAsync, limit, ct);
                break;
            case K.Package:
                var packaged = await db.ModelPackages.AsNoTracking().Where(p => p.Id == id).Select(p => p.ModelVersionId).SingleOrDefaultAsync(ct);
                await collected.UpAsync("packaged", versions.Where(v => v.Id == packaged), VersionsAsync, limit, ct);
                await collected.DownAsync("deployed", deployments.Where(d => d.PackageId == id), DeploymentsAsync, limit, ct);
                break;
            case K.Deployment:
                var deployment = await db.Deployments.AsNoTracking().Where(d => d.Id == id)
                    .Select(d => new { d.ModelVersionId, d.BuildVersionId, d.PackageId }).SingleOrDefaultAsync(ct);
                if (deployment is null) break;
                if (deployment.PackageId is { } packageId)
                    await collected.UpAsync("deployed", packages.Where(p => p.Id == packageId), PackagesAsync, limit, ct);
                else await collected.UpAsync("deployed", versions.Where(v => v.Id == deployment.ModelVersionId), VersionsAsync, limit, ct);
                await collected.UpAsync("image-of", builds.Where(b => b.Id == deployment.BuildVersionId), BuildsAsync, limit, ct);
                break;
            case K.Build:
                await collected.DownAsync("image-of", trainings.Where(t => t.BuildVersionId == id), TrainingsAsync, limit, ct);
                await collected.DownAsync("image-of", versions.Where(v => v.BuildVersionId == id), VersionsAsync, limit, ct);
                await collected.DownAsync("image-of", deployments.Where(d => d.BuildVersionId == id), DeploymentsAsync, limit, ct);
                break;
        }
        return new LineageNeighbours(collected.Nodes, collected.Edges, collected.Left);
    }

    /// <summary>Gathers one node's neighbours relation by relation, counting what the limit leaves out.</summary>
    private sealed class Collector(string self)
    {
        public List<LineageNode> Nodes { get; } = [];
        public List<LineageEdge> Edges { get; } = [];
        public int Left { get; private set; }

        public Task UpAsync<T>(string relation, IQueryable<T> q, Func<IQueryable<T>, int, CancellationToken, Task<List<LineageNode>>> read, int limit, CancellationToken ct) =>
            AddAsync(relation, q, read, limit, upstream: true, ct);

        public Task DownAsync<T>(string relation, IQueryable<T> q, Func<IQueryable<T>, int, CancellationToken, Task<List<LineageNode>>> read, int limit, CancellationToken ct) =>
            AddAsync(relation, q, read, limit, upstream: false, ct);

        private async Task AddAsync<T>(string relation, IQueryable<T> q, Func<IQueryable<T>, int, CancellationToken, Task<List<LineageNode>>> read, int limit, bool upstream, CancellationToken ct)
        {
            var nodes = await read(q, limit, ct);
            // Only a full page can have more behind it; counting every relation would double the queries.
            if (nodes.Count == limit) Left += await q.CountAsync(ct) - nodes.Count;
            foreach (var node in nodes)
            {
                Nodes.Add(node);
                Edges.Add(upstream ? new LineageEdge(node.Id, self, relation) : new LineageEdge(self, node.Id, relation));
            }
        }
    }

    private static IQueryable<Training> Filtered(IQueryable<Training> q, LineageFilter f)
    {
        if (f.Project is { } p) q = q.Where(t => t.Project!.Name == p);
        return Within(q, t => t.CreatedAt, f);
    }

    private static IQueryable<ModelVersion> Filtered(IQueryable<ModelVersion> q, LineageFilter f)
    {
        if (f.Model is { } m) q = q.Where(v => v.Model!.Name == m);
        if (f.Project is { } p) q = q.Where(v => v.Training == null || v.Training.Project!.Name == p);
        return Within(q, v => v.CreatedAt, f);
    }

    private static IQueryable<Deployment> Filtered(IQueryable<Deployment> q, LineageFilter f)
    {
        if (f.Project is { } p) q = q.Where(d => d.Project!.Name == p);
        if (f.Model is { } m) q = q.Where(d => d.ModelVersion == null || d.ModelVersion.Model!.Name == m);
        return Within(q, d => d.CreatedAt, f);
    }

    private static IQueryable<Dataset> Filtered(IQueryable<Dataset> q, LineageFilter f)
    {
        if (f.Model is { } m) q = q.Where(d => d.Model!.Name == m);
        return Within(q, d => d.CreatedAt, f);
    }

    private static IQueryable<BuildVersion> Filtered(IQueryable<BuildVersion> q, LineageFilter f)
    {
        if (f.Project is { } p) q = q.Where(b => b.Project!.Name == p);
        return Within(q, b => b.BuiltAt, f);
    }

    private static IQueryable<ModelPackage> Filtered(IQueryable<ModelPackage> q, LineageFilter f)
    {
        if (f.Project is { } p) q = q.Where(x => x.ProjectName == p);
        if (f.Model is { } m) q = q.Where(x => x.ModelVersion == null || x.ModelVersion.Model!.Name == m);
        return Within(q, x => x.CreatedAt, f);
    }

    /// <summary>Keeps what was made inside the filter's time window.</summary>
    private static IQueryable<T> Within<T>(IQueryable<T> q, Expression<Func<T, DateTime>> at, LineageFilter f)
    {
        if (f.From is { } from) q = q.Where(Expression.Lambda<Func<T, bool>>(Expression.GreaterThanOrEqual(at.Body, Expression.Constant(from)), at.Parameters));
        if (f.To is { } to) q = q.Where(Expression.Lambda<Func<T, bool>>(Expression.LessThanOrEqual(at.Body, Expression.Constant(to)), at.Parameters));
        return q;
    }

    private static async Task<List<LineageNode>> TrainingsAsync(IQueryable<Training> q, int take, CancellationToken ct) =>
        (await q.AsNoTracking().OrderByDescending(t => t.Id).Take(take)
            .Select(t => new { t.Id, Project = t.Project!.Name, t.Name, t.CreatedAt, t.Task.State, t.Kind }).ToListAsync(ct))
        .Select(t => new LineageNode(K.NodeId(K.Training, t.Id), K.Training, $"{t.Project}/{t.Name}", t.Kind == TrainingKind.Batch ? $"{t.Name} (batch)" : t.Name,
            t.Project, null, t.CreatedAt, StateName(t.State), []))
        .ToList();

    private static async Task<List<LineageNode>> VersionsAsync(IQueryable<ModelVersion> q, int take, CancellationToken ct) =>
        (await q.AsNoTracking().OrderByDescending(v => v.Id).Take(take)
            .Select(v => new { v.Id, Model = v.Model!.Name, v.Name, v.CreatedAt, v.Promotions, Project = v.Training == null ? null : v.Training.Project!.Name }).ToListAsync(ct))
        .Select(v => new LineageNode(K.NodeId(K.Version, v.Id), K.Version, $"{v.Model}/{v.Name}", $"{v.Model} {v.Name}", v.Project, v.Model, v.CreatedAt, null,
            v.Promotions.Select(p => p.Environment).ToList()))
        .ToList();

    private static async Task<List<LineageNode>> DeploymentsAsync(IQueryable<Deployment> q, int take, CancellationToken ct) =>
        (await q.AsNoTracking().OrderByDescending(d => d.Id).Take(take)
            .Select(d => new { d.Id, d.Name, Project = d.Project!.Name, Model = d.ModelVersion == null ? null : d.ModelVersion.Model!.Name, d.CreatedAt, d.Task.State, d.Environment })
            .ToListAsync(ct))
        .Select(d => new LineageNode(K.NodeId(K.Deployment, d.Id), K.Deployment, d.Name, d.Name, d.Project, d.Model, d.CreatedAt, StateName(d.State), [d.Environment]))
        .ToList();

    private static async Task<List<LineageNode>> DatasetsAsync(IQueryable<Dataset> q, int take, CancellationToken ct) =>
        (await q.AsNoTracking().OrderByDescending(d => d.Id).Take(take)
            .Select(d => new { d.Id, Model = d.Model!.Name, d.Name, d.CreatedAt }).ToListAsync(ct))
        .Select(d => new LineageNode(K.NodeId(K.Dataset, d.Id), K.Dataset, $"{d.Model}/{d.Name}", d.Name, null, d.Model, d.CreatedAt, null, []))
        .ToList();

    private static async Task<List<LineageNode>> BuildsAsync(IQueryable<BuildVersion> q, int take, CancellationToken ct) =>
        (await q.AsNoTracking().OrderByDescending(b => b.Id).Take(take)
            .Select(b => new { b.Id, Project = b.Project!.Name, b.Tag, b.BuiltAt }).ToListAsync(ct))
        .Select(b => new LineageNode(K.NodeId(K.Build, b.Id), K.Build, $"{b.Project}/{b.Tag}", $"{b.Project}:{b.Tag}", b.Project, null, b.BuiltAt, null, []))
        .ToList();

    private static async Task<List<LineageNode>> PackagesAsync(IQueryable<ModelPackage> q, int take, CancellationToken ct) =>
        (await q.AsNoTracking().OrderByDescending(p => p.Id).Take(take)
            .Select(p => new { p.Id, p.Name, p.ProjectName, Model = p.ModelVersion == null ? null : p.ModelVersion.Model!.Name, p.CreatedAt, p.Task.State, p.Kind })
            .ToListAsync(ct))
        .Select(p => new LineageNode(K.NodeId(K.Package, p.Id), K.Package, p.Name, $"{p.Name} ({p.Kind.ToString().ToLowerInvariant()})", p.ProjectName, p.Model,
            p.CreatedAt, StateName(p.State), []))
        .ToList();

    private static string StateName(TaskState state) => state.ToString().ToLowerInvariant();
}
