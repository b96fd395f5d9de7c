using Portal.Core.Entities;

namespace Portal.Core.Stores;

public interface IProjectStore
{
    /// <summary>Sort keys: name, created_at, updated_at. Search matches name and description.</summary>
    Task<Page<Project>> ListAsync(PageRequest request, CancellationToken ct);
    /// <summary>Loads a project with its models.</summary>
    Task<Project?> FindAsync(string name, CancellationToken ct);
    Task<Project> AddAsync(Project project, IReadOnlyCollection<long> modelIds, CancellationToken ct);
    Task<Project> UpdateAsync(Project project, IReadOnlyCollection<long> modelIds, CancellationToken ct);
    Task DeleteAsync(long id, CancellationToken ct);
    Task<ProjectUsage> GetUsageAsync(long id, CancellationToken ct);
}

/// <summary>What a project's deletion would remove with it.</summary>
public sealed record ProjectUsage(int BuildVersions, int Trainings, int Deployments);
