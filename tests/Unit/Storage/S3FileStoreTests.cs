using Amazon.S3;
using Amazon.S3.Model;
using Portal.Core.Storage;
using Portal.Tests.Unit.Support;

namespace Portal.Tests.Unit.Storage;

/// <summary>
/// The file store in a bucket of a real S3-speaking server (s3rver on loopback, checking signatures): the contract every
/// store keeps, and what is S3's own (multipart streaming, refused keys).
/// </summary>
public sealed class S3FileStoreTests : FileStoreContractTests
{
    /// <summary>S3's smallest part, so that a few MB already take several parts.</summary>
    private const int PartSize = 5 * 1024 * 1024;
    private RealS3 _s3 = default!;
    private IAmazonS3 _client = default!;
    private S3FileStore _store = default!;

    protected override async Task<IFileStore> CreateAsync()
    {
        _s3 = await RealS3.StartAsync();
        _client = _s3.Client();
        return _store = new S3FileStore(S3Clients.Create(_s3.Config(), null), RealS3.Bucket, "portal", PartSize);
    }

    /// <summary>The objects of the bucket: all of them under the store's prefix, or marked as outside it.</summary>
    protected override async Task<string[]> EverythingStoredAsync()
    {
        var listed = await _client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = RealS3.Bucket });
        return [.. (listed.S3Objects ?? []).Select(o => o.Key.StartsWith("portal/", StringComparison.Ordinal) ? o.Key["portal/".Length..] : "OUTSIDE " + o.Key)
            .Order(StringComparer.Ordinal)];
    }

    public override async Task DisposeAsync()
    {
        _client.Dispose();
        await _s3.DisposeAsync();
    }

    [Fact]
    public async Task A_large_file_goes_up_in_parts_while_the_source_is_still_being_read()
    {
        const long size = 12L * 1024 * 1024;
        var uploadingAtHalf = false;
        var source = new GeneratedStream(size, position =>
        {
            if (uploadingAtHalf || position < size / 2 + PartSize / 2) return;
            uploadingAtHalf = _s3.OpenUploads() > 0;
        });
        var stored = await _store.SaveAsync("k/large.bin", source, null, CancellationToken.None);
        Assert.Equal(size, stored.Size);
        Assert.True(uploadingAtHalf, "no multipart upload was open when more than half of the source had been read: the store buffered the file whole");

        // The parts make one object that reads back byte for byte.
        await using var read = await _store.OpenReadAsync("k/large.bin", CancellationToken.None);
        var hash = System.Security.Cryptography.SHA256.Create();
        Assert.Equal(stored.Sha256, Convert.ToHexStringLower(await hash.ComputeHashAsync(read)));
        Assert.Equal(0, _s3.OpenUploads());
    }

    [Fact]
    public async Task Keys_the_server_does_not_know_are_refused_with_what_it_said()
    {
        var wrong = new S3FileStore(S3Clients.Create(_s3.Config(accessKey: "NOT-A-KEY"), null), RealS3.Bucket, "");
        var e = await Assert.ThrowsAsync<AmazonS3Exception>(() => wrong.SaveAsync("k/a.txt", Bytes("a"), null, CancellationToken.None));
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, e.StatusCode);
        Assert.Equal("InvalidAccessKeyId", e.ErrorCode);
        Assert.Empty(await EverythingStoredAsync());
    }
}
