using System.Net;
using System.Runtime.CompilerServices;
using Amazon.S3;
using Amazon.S3.Model;
using Portal.Core.Entities;
using Portal.Core.Errors;

namespace Portal.Core.Storage;

/// <summary>
/// The file store in an S3 bucket (AWS, or any server speaking its API): each key is an object under the configured
/// prefix. Writes stream through one part-sized buffer (<see cref="S3UploadStream"/>), hashed and size-limited as they
/// pass, and S3 shows an object only once complete, so readers see the old content or the whole new one. S3 has no
/// folders: a folder is the objects under its key and a "/".
/// </summary>
public sealed class S3FileStore(IAmazonS3 s3, string bucket, string prefix, int partSize = S3FileStore.DefaultPartSize) : IFileStore, IDisposable
{
    /// <summary>8 MiB: above S3's 5 MiB minimum part, and the most memory one write holds.</summary>
    public const int DefaultPartSize = 8 * 1024 * 1024;

    private readonly string _prefix = string.IsNullOrEmpty(prefix) ? "" : prefix.Trim('/') + "/";

    public string Bucket => bucket;

    public async Task<StoredFile> SaveAsync(string key, Func<Stream, CancellationToken, Task> write, long? maxBytes, CancellationToken ct)
    {
        var name = StoreKey.Segments(key)[^1];
        await using var upload = new S3UploadStream(s3, bucket, ObjectKey(key), partSize);
        try
        {
            StoredFile stored;
            await using (var hashing = new HashingLimitStream(upload, maxBytes, name))
            {
                await write(hashing, ct);
                stored = new StoredFile { Name = name, Size = hashing.BytesWritten, Sha256 = hashing.Sha256Hex() };
            }
            await upload.CompleteAsync(ct);
            return stored;
        }
        catch
        {
            await upload.AbortAsync();
            throw;
        }
    }

    public async Task<Stream> OpenReadAsync(string key, CancellationToken ct)
    {
        try { return (await s3.GetObjectAsync(bucket, ObjectKey(key), ct)).ResponseStream; }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound) { throw new NotFoundException("file", key); }
    }

    public async Task<bool> ExistsAsync(string key, CancellationToken ct)
    {
        try
        {
            await s3.GetObjectMetadataAsync(bucket, ObjectKey(key), ct);
            return true;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound) { return false; }
    }

    public async IAsyncEnumerable<string> ListAsync(string folderKey, [EnumeratorCancellation] CancellationToken ct)
    {
        var folder = ObjectKey(folderKey) + "/";
        var found = new List<string>();
        await foreach (var o in ObjectsUnderAsync(folder, ct)) found.Add(o[folder.Length..]);
        // The local store lists in ordinal order; S3 lists by UTF-8 bytes, which can differ: sort the same way.
        foreach (var relative in found.Order(StringComparer.Ordinal)) yield return relative;
    }

    /// <summary>Copies every object of the folder under the new key, then removes the old ones (S3 cannot rename).</summary>
    public async Task MoveFolderAsync(string fromKey, string toKey, CancellationToken ct)
    {
        var from = ObjectKey(fromKey) + "/";
        var to = ObjectKey(toKey) + "/";
        if (await ExistsAsync(toKey, ct) || await AnyUnderAsync(to, ct)) throw new ConflictException($"The file store already holds '{toKey}'.");
        var moved = new List<string>();
        await foreach (var key in ObjectsUnderAsync(from, ct))
        {
            await s3.CopyObjectAsync(new CopyObjectRequest { SourceBucket = bucket, SourceKey = key, DestinationBucket = bucket, DestinationKey = to + key[from.Length..] }, ct);
            moved.Add(key);
        }
        await DeleteObjectsAsync(moved, ct);
    }

    public async Task DeleteAsync(string key, CancellationToken ct)
    {
        var objectKey = ObjectKey(key);
        var doomed = new List<string> { objectKey };
        await foreach (var o in ObjectsUnderAsync(objectKey + "/", ct)) doomed.Add(o);
        await DeleteObjectsAsync(doomed, ct);
    }

    public void Dispose() => s3.Dispose();

    private string ObjectKey(string key) => _prefix + string.Join('/', StoreKey.Segments(key));

    private async Task<bool> AnyUnderAsync(string folder, CancellationToken ct)
    {
        await foreach (var _ in ObjectsUnderAsync(folder, ct)) return true;
        return false;
    }

    private async IAsyncEnumerable<string> ObjectsUnderAsync(string folder, [EnumeratorCancellation] CancellationToken ct)
    {
        var request = new ListObjectsV2Request { BucketName = bucket, Prefix = folder };
        while (true)
        {
            var page = await s3.ListObjectsV2Async(request, ct);
            foreach (var o in page.S3Objects ?? []) yield return o.Key;
            if (page.IsTruncated != true) yield break;
            request.ContinuationToken = page.NextContinuationToken;
        }
    }

    private async Task DeleteObjectsAsync(List<string> keys, CancellationToken ct)
    {
        // At most 1,000 keys per request; keys that are not there are not an error.
        foreach (var batch in keys.Chunk(1000))
            await s3.DeleteObjectsAsync(new DeleteObjectsRequest { BucketName = bucket, Objects = [.. batch.Select(k => new KeyVersion { Key = k })] }, ct);
    }
}
