using Portal.Core.Configuration;
using Portal.Core.Security;

namespace Portal.Core.Storage;

/// <summary>The file store a configuration names: the local directory, or an S3 bucket.</summary>
public static class FileStores
{
    public static IFileStore Create(FileStoreConfig files, PortalPaths paths, CredentialVault? vault) => files.Type == "s3"
        ? new S3FileStore(S3Clients.Create(files.S3, vault), files.S3.Bucket!, files.S3.Prefix ?? "")
        : new LocalFileStore(paths.FileStoreRoot);

    /// <summary>Where the store is, for people: the directory, or the bucket, its folder and its server.</summary>
    public static string Describe(FileStoreConfig files, PortalPaths paths) => files.Type == "s3"
        ? $"bucket {files.S3.Bucket}{(string.IsNullOrWhiteSpace(files.S3.Prefix) ? "" : $"/{files.S3.Prefix.Trim('/')}")} at " +
          (string.IsNullOrWhiteSpace(files.S3.Endpoint) ? $"AWS {files.S3.Region}" : files.S3.Endpoint)
        : $"directory {paths.FileStoreRoot}";
}
