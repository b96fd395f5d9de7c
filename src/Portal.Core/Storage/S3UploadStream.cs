using Amazon.S3;
using Amazon.S3.Model;

namespace Portal.Core.Storage;

/// <summary>
/// A write-only stream into one S3 object, holding at most one part in memory: a file that fits one part is put whole,
/// a larger one becomes a multipart upload whose parts go as they fill. Nothing is visible under the key until
/// <see cref="CompleteAsync"/>; <see cref="AbortAsync"/> drops what was sent.
/// </summary>
internal sealed class S3UploadStream(IAmazonS3 s3, string bucket, string key, int partSize) : Stream
{
    private readonly MemoryStream _part = new();
    private readonly List<PartETag> _sent = [];
    private string? _uploadId;

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (buffer.Length > 0)
        {
            var room = partSize - (int)_part.Length;
            var take = Math.Min(room, buffer.Length);
            _part.Write(buffer.Span[..take]);
            buffer = buffer[take..];
            if (_part.Length == partSize) await SendPartAsync(cancellationToken);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // Writers that only write synchronously (a tar or gzip writer) block on a full part's upload.
    public override void Write(ReadOnlySpan<byte> buffer) => WriteAsync(buffer.ToArray()).AsTask().GetAwaiter().GetResult();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <summary>Makes the object visible under its key, whole.</summary>
    public async Task CompleteAsync(CancellationToken ct)
    {
        if (_uploadId is null)
        {
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, InputStream = PartBody(), UseChunkEncoding = false }, ct);
            return;
        }
        if (_part.Length > 0) await SendPartAsync(ct);
        await s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = bucket, Key = key, UploadId = _uploadId, PartETags = _sent,
        }, ct);
        _uploadId = null;
    }

    /// <summary>Drops the parts sent so far (a failed or too large write); never throws.</summary>
    public async Task AbortAsync()
    {
        if (_uploadId is null) return;
        try { await s3.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = bucket, Key = key, UploadId = _uploadId }); }
        catch (AmazonS3Exception) { }
        _uploadId = null;
    }

    private async Task SendPartAsync(CancellationToken ct)
    {
        _uploadId ??= (await s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = bucket, Key = key }, ct)).UploadId;
        var number = _sent.Count + 1;
        var sent = await s3.UploadPartAsync(new UploadPartRequest
        {
            BucketName = bucket, Key = key, UploadId = _uploadId, PartNumber = number, InputStream = PartBody(), PartSize = _part.Length,
            UseChunkEncoding = false,
        }, ct);
        _sent.Add(new PartETag(number, sent.ETag));
        _part.SetLength(0);
    }

    /// <summary>The part's bytes as a stream of their own (the SDK closes what it sends), without copying them.</summary>
    private MemoryStream PartBody() => new(_part.GetBuffer(), 0, (int)_part.Length, writable: false);

    public override void Flush() { }
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) _part.Dispose();
        base.Dispose(disposing);
    }
}
