using Portal.Core.Entities;

namespace Portal.Core.Stores;

/// <summary>The build versions of projects; (project, tag) is unique, a rebuild of a tag replaces its record.</summary>
public interface IBuildStore
{
    /// <summary>Newest first.</summary>
    Task<IReadOnlyList<BuildVersion>> ListAsync(long projectId, CancellationToken ct);
    Task<BuildVersion?> FindAsync(long projectId, string tag, CancellationToken ct);
    Task<BuildVersion> SaveAsync(BuildVersion version, CancellationToken ct);
    /// <summary>Whether some project's build produced this image.</summary>
    Task<bool> AnyWithImageAsync(string image, CancellationToken ct);
}
