namespace Portal.Core.Storage;

/// <summary>
/// Datasets and model versions keep their files the same way under their folder key: <c>files/{name}</c>, or one
/// <c>archive.tar.gz</c> when compressed. Reading one file is the same for both.
/// </summary>
public static class ArtifactFiles
{
    public static Task<Stream> OpenAsync(IFileStore store, string folderKey, bool compressed, string fileName, CancellationToken ct) => compressed
        ? TarArchives.OpenEntryAsync(store, $"{folderKey}/archive.tar.gz", fileName, ct)
        : store.OpenReadAsync($"{folderKey}/files/{fileName}", ct);
}
