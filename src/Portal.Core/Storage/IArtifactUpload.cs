using Portal.Core.Entities;

namespace Portal.Core.Storage;

/// <summary>An upload in progress (dataset, model version): files are added one by one; disposing an uncommitted upload removes them.</summary>
public interface IArtifactUpload : IAsyncDisposable
{
    Task<StoredFile> AddFileAsync(string fileName, Stream content, CancellationToken ct);
}
