using Portal.Core.Entities;

namespace Portal.Core.Storage;

public static class FileStoreExtensions
{
    /// <summary>Streams <paramref name="content"/> into the store without holding it in memory.</summary>
    public static Task<StoredFile> SaveAsync(this IFileStore store, string key, Stream content, long? maxBytes, CancellationToken ct) =>
        store.SaveAsync(key, (target, token) => content.CopyToAsync(target, 81920, token), maxBytes, ct);
}
