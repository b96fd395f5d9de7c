using Amazon.Runtime;
using Amazon.S3;
using Portal.Core.Configuration;
using Portal.Core.Errors;
using Portal.Core.Persistence;
using Portal.Core.Security;

namespace Portal.Core.Storage;

/// <summary>
/// The Settings page's "Test connection" for the file store: reaches the directory or the bucket a form describes
/// (saved or not), writes, reads and removes a probe file there, and says what it found.
/// </summary>
public sealed class FileStoreProbe(PortalConfig running, PortalPaths paths, CredentialVault vault, AuditLog audit)
{
    public async Task<StoreReport> ProbeAsync(FileStoreConfig candidate, CancellationToken ct)
    {
        await audit.DemandAsync(Roles.Admin, "test the file store", null, ct);
        var errors = new ValidationErrors();
        foreach (var v in PortalConfigValidator.Validate(new PortalConfig { FileStore = candidate }).Where(v => v.Path.StartsWith("file_store", StringComparison.Ordinal)))
            errors.Add(v.Path, v.Message);
        errors.ThrowIfAny();
        var files = candidate.WithoutSecret();
        // The form never holds the secret key: for the running access key, the running secret is the one to try.
        files.S3 = files.S3.WithSecret(candidate.S3.SecretKey ?? (candidate.S3.AccessKey == running.FileStore.S3.AccessKey ? running.FileStore.S3.SecretKey : null));
        var at = string.IsNullOrWhiteSpace(files.Path) ? paths : paths with { FileStoreRoot = Path.GetFullPath(files.Path) };
        var where = FileStores.Describe(files, at);
        try
        {
            var store = FileStores.Create(files, at, vault);
            using (store as IDisposable) return await TryAsync(where, store, ct);
        }
        catch (InvalidOperationException e) { return new StoreReport(where, false, e.Message); }
    }

    private static async Task<StoreReport> TryAsync(string where, IFileStore store, CancellationToken ct)
    {
        var key = $"probe/{Guid.NewGuid():N}.txt";
        try
        {
            await store.SaveAsync(key, new MemoryStream("written by the portal's Test connection"u8.ToArray()), null, ct);
            await using (var read = await store.OpenReadAsync(key, ct)) await read.CopyToAsync(Stream.Null, ct);
            await store.DeleteAsync(key, ct);
            var datasets = 0;
            await foreach (var _ in store.ListAsync(StorageKeys.DatasetsRoot, ct)) datasets++;
            return new StoreReport(where, true, $"Reached the {where}: a probe file was written, read back and removed; {datasets} dataset file(s) are stored there.");
        }
        catch (AmazonS3Exception e) { return new StoreReport(where, false, $"The {where} answered {(int)e.StatusCode} {e.ErrorCode}: {e.Message}"); }
        catch (AmazonServiceException e) { return new StoreReport(where, false, $"The {where} cannot be reached: {e.Message}"); }
        catch (AmazonClientException e) { return new StoreReport(where, false, $"The {where} cannot be reached: {e.Message}"); }
        catch (HttpRequestException e) { return new StoreReport(where, false, $"The {where} cannot be reached: {e.Message}"); }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested) { return new StoreReport(where, false, $"The {where} did not answer in time."); }
        catch (IOException e) { return new StoreReport(where, false, $"The {where} cannot be written: {e.Message}"); }
        catch (UnauthorizedAccessException e) { return new StoreReport(where, false, $"The {where} cannot be written: {e.Message}"); }
    }
}
