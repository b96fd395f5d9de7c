using System.Security.Cryptography;
using System.Text;
using Portal.Core.Errors;
using Portal.Core.Storage;
using Portal.Tests.Unit.Support;

namespace Portal.Tests.Unit.Storage;

/// <summary>What every file store promises (<see cref="IFileStore"/>); the local directory and an S3 bucket run it below.</summary>
public abstract class FileStoreContractTests : IAsyncLifetime
{
    private IFileStore _store = default!;

    protected abstract Task<IFileStore> CreateAsync();

    /// <summary>Every object or file the store holds, temp files included, relative to its root.</summary>
    protected abstract Task<string[]> EverythingStoredAsync();

    public async Task InitializeAsync() => _store = await CreateAsync();

    public virtual Task DisposeAsync() => Task.CompletedTask;

    protected static MemoryStream Bytes(string s) => new(Encoding.UTF8.GetBytes(s));

    [Fact]
    public async Task Records_size_and_sha256_of_what_it_stores()
    {
        var stored = await _store.SaveAsync("datasets/1/files/a.csv", Bytes("hello"), null, CancellationToken.None);
        Assert.Equal(5, stored.Size);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData("hello"u8)), stored.Sha256);
        await using var read = await _store.OpenReadAsync("datasets/1/files/a.csv", CancellationToken.None);
        Assert.Equal("hello", await new StreamReader(read).ReadToEndAsync());
    }

    [Theory]
    [InlineData("../outside")]
    [InlineData("datasets/../../outside")]
    [InlineData("/etc/passwd")]
    [InlineData("datasets//a")]
    [InlineData("datasets/a/")]
    [InlineData("datasets/.tmp")]
    [InlineData(".tmp/x")]
    [InlineData("datasets/a\\..\\..\\b")]
    [InlineData("datasets/\u202Eabc")]
    [InlineData("")]
    public async Task Refuses_keys_that_could_leave_the_root(string key)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _store.SaveAsync(key, Bytes("x"), null, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.OpenReadAsync(key, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.DeleteAsync(key, CancellationToken.None));
        Assert.Empty(await EverythingStoredAsync());
    }

    [Fact]
    public async Task A_write_that_fails_midway_leaves_the_old_content_and_no_temp_file()
    {
        await _store.SaveAsync("k/file.bin", Bytes("old content"), null, CancellationToken.None);
        await Assert.ThrowsAsync<IOException>(() => _store.SaveAsync("k/file.bin", async (target, ct) =>
        {
            await target.WriteAsync("new and partial"u8.ToArray(), ct);
            throw new IOException("the client went away");
        }, null, CancellationToken.None));

        await using var read = await _store.OpenReadAsync("k/file.bin", CancellationToken.None);
        Assert.Equal("old content", await new StreamReader(read).ReadToEndAsync());
        Assert.Equal(["k/file.bin"], await EverythingStoredAsync());
    }

    [Fact]
    public async Task A_write_over_the_limit_stops_and_keeps_nothing()
    {
        var e = await Assert.ThrowsAsync<FileTooLargeException>(() =>
            _store.SaveAsync("k/big.bin", new MemoryStream(new byte[10_000]), 4096, CancellationToken.None));
        Assert.Equal("big.bin", e.FileName);
        Assert.Contains("larger than 4 KB", e.Message);
        Assert.Empty(await EverythingStoredAsync());
        Assert.False(await _store.ExistsAsync("k/big.bin", CancellationToken.None));
    }

    [Fact]
    public async Task A_write_of_exactly_the_limit_is_kept()
    {
        var stored = await _store.SaveAsync("k/exact.bin", new MemoryStream(new byte[4096]), 4096, CancellationToken.None);
        Assert.Equal(4096, stored.Size);
    }

    [Fact]
    public async Task Moves_a_folder_in_one_step_and_refuses_to_overwrite()
    {
        await _store.SaveAsync("staging/abc/files/a.csv", Bytes("a"), null, CancellationToken.None);
        await _store.MoveFolderAsync("staging/abc", "datasets/7", CancellationToken.None);
        Assert.True(await _store.ExistsAsync("datasets/7/files/a.csv", CancellationToken.None));
        Assert.False(await _store.ExistsAsync("staging/abc/files/a.csv", CancellationToken.None));

        await _store.SaveAsync("staging/def/files/b.csv", Bytes("b"), null, CancellationToken.None);
        await Assert.ThrowsAsync<ConflictException>(() => _store.MoveFolderAsync("staging/def", "datasets/7", CancellationToken.None));
    }

    [Fact]
    public async Task Lists_and_deletes_folders()
    {
        await _store.SaveAsync("d/1/files/a.csv", Bytes("a"), null, CancellationToken.None);
        await _store.SaveAsync("d/1/files/b.csv", Bytes("b"), null, CancellationToken.None);
        var listed = new List<string>();
        await foreach (var f in _store.ListAsync("d/1", CancellationToken.None)) listed.Add(f);
        Assert.Equal(["files/a.csv", "files/b.csv"], listed);

        await _store.DeleteAsync("d/1", CancellationToken.None);
        Assert.Empty(await EverythingStoredAsync());
        await _store.DeleteAsync("d/1", CancellationToken.None);
        await Assert.ThrowsAsync<NotFoundException>(() => _store.OpenReadAsync("d/1/files/a.csv", CancellationToken.None));
    }

    /// <summary>Produces bytes on demand and reports how far it has been read.</summary>
    internal sealed class GeneratedStream(long length, Action<long> onRead) : Stream
    {
        private long _position;
        public override int Read(byte[] buffer, int offset, int count)
        {
            onRead(_position);
            var n = (int)Math.Min(count, length - _position);
            buffer.AsSpan(offset, n).Fill(42);
            _position += n;
            return n;
        }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

/// <summary>The embedded store: a directory, written through temp files renamed into place.</summary>
public sealed class LocalFileStoreTests : FileStoreContractTests
{
    private readonly TempDir _dir = new();
    private LocalFileStore _store = default!;

    protected override Task<IFileStore> CreateAsync() => Task.FromResult<IFileStore>(_store = new LocalFileStore(Path.Combine(_dir.Path, "files")));

    protected override Task<string[]> EverythingStoredAsync() => Task.FromResult(Directory.GetFiles(_dir.Path, "*", SearchOption.AllDirectories)
        .Select(f => Path.GetRelativePath(_store.Root, f).Replace('\\', '/')).Order(StringComparer.Ordinal).ToArray());

    public override Task DisposeAsync()
    {
        _dir.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Content_reaches_the_disk_while_the_source_is_still_being_read()
    {
        // The source looks at the temp file half way: a store that buffered the whole content would have written nothing yet.
        const long size = 8L * 1024 * 1024;
        long onDiskAtHalf = -1;
        var source = new FileStoreContractTests.GeneratedStream(size, position =>
        {
            if (onDiskAtHalf < 0 && position >= size / 2)
                onDiskAtHalf = Directory.GetFiles(Path.Combine(_store.Root, ".tmp")).Sum(f => new FileInfo(f).Length);
        });
        var stored = await _store.SaveAsync("k/stream.bin", source, null, CancellationToken.None);
        Assert.Equal(size, stored.Size);
        Assert.True(onDiskAtHalf >= size / 2 - 256 * 1024, $"only {onDiskAtHalf} bytes were on disk when half of {size} had been read");
    }
}
