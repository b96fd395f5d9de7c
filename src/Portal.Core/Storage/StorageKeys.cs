namespace Portal.Core.Storage;

/// <summary>
/// Where each kind of content lives in the file store. Keys use record ids, not names, so a rename
/// never moves files.
/// </summary>
public static class StorageKeys
{
    public static string Dataset(long id) => $"datasets/{id}";
    public static string DatasetArchive(long id) => $"datasets/{id}/archive.tar.gz";
    public static string ModelVersion(long id) => $"versions/{id}";
    public static string ModelVersionFiles(long id) => $"versions/{id}/files";
    public static string ModelVersionArchive(long id) => $"versions/{id}/archive.tar.gz";
    public const string StagingRoot = "staging";
    public const string DatasetsRoot = "datasets";
    public const string VersionsRoot = "versions";
    /// <summary>An upload in flight, named for the process receiving it (<see cref="OwnerProcess"/>) so a restart finds what a crash left.</summary>
    public static string Staging(Guid id) => $"{StagingRoot}/{OwnerProcess.Tag}_{id:N}";
    public static string StagingFile(Guid id, string fileName) => $"{Staging(id)}/files/{fileName}";
    public static string StagingFiles(Guid id) => $"{Staging(id)}/files";
    public static string StagingArchive(Guid id) => $"{Staging(id)}/archive.tar.gz";
}
