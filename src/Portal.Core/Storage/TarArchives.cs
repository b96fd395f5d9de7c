using System.Formats.Tar;
using System.IO.Compression;
using Portal.Core.Errors;

namespace Portal.Core.Storage;

/// <summary>Writes and reads the tar.gz archives that compressed datasets and model versions are kept as, streaming both ways.</summary>
public static class TarArchives
{
    /// <summary>Packs files from the store into a tar.gz written to <paramref name="target"/>.</summary>
    public static async Task WriteAsync(IFileStore store, IEnumerable<(string Key, string EntryName)> files, Stream target, CancellationToken ct)
    {
        await using var gzip = new GZipStream(target, CompressionLevel.Optimal, leaveOpen: true);
        await using var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true);
        foreach (var (key, entryName) in files)
        {
            await using var content = await store.OpenReadAsync(key, ct);
            var entry = new PaxTarEntry(TarEntryType.RegularFile, entryName) { DataStream = content, Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead };
            await tar.WriteEntryAsync(entry, ct);
        }
    }

    /// <summary>Unpacks a stored tar.gz into a folder: regular files only, each name checked so nothing lands outside it.</summary>
    public static async Task ExtractAsync(IFileStore store, string archiveKey, string directory, CancellationToken ct)
    {
        Directory.CreateDirectory(directory);
        await using var archive = await store.OpenReadAsync(archiveKey, ct);
        await using var gzip = new GZipStream(archive, CompressionMode.Decompress);
        await using var reader = new TarReader(gzip);
        while (await reader.GetNextEntryAsync(copyData: false, ct) is { } entry)
        {
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream is null) continue;
            if (SafeFileName.Check(entry.Name) is { } problem) throw new ConflictException($"The archive {archiveKey} holds an unsafe name: {problem}");
            await using var target = File.Create(Path.Combine(directory, entry.Name));
            await entry.DataStream.CopyToAsync(target, ct);
        }
    }

    /// <summary>Opens one entry of a stored tar.gz as a stream; disposing it closes the archive.</summary>
    public static async Task<Stream> OpenEntryAsync(IFileStore store, string archiveKey, string entryName, CancellationToken ct)
    {
        var archive = await store.OpenReadAsync(archiveKey, ct);
        var gzip = new GZipStream(archive, CompressionMode.Decompress);
        var reader = new TarReader(gzip);
        try
        {
            while (await reader.GetNextEntryAsync(copyData: false, ct) is { } entry)
                if (entry.Name == entryName && entry.DataStream is { } data)
                    return new OwningStream(data, reader, gzip, archive);
        }
        catch
        {
            await reader.DisposeAsync();
            await gzip.DisposeAsync();
            await archive.DisposeAsync();
            throw;
        }
        await reader.DisposeAsync();
        await gzip.DisposeAsync();
        await archive.DisposeAsync();
        throw new NotFoundException("file in the archive", entryName);
    }

    /// <summary>Reads from an entry's data and disposes the reader chain behind it when done.</summary>
    private sealed class OwningStream(Stream data, params IAsyncDisposable[] owners) : Stream
    {
        public override int Read(byte[] buffer, int offset, int count) => data.Read(buffer, offset, count);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => data.ReadAsync(buffer, cancellationToken);
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => data.ReadAsync(buffer, offset, count, cancellationToken);
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => data.Length;
        public override long Position { get => data.Position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override async ValueTask DisposeAsync()
        {
            foreach (var owner in owners) await owner.DisposeAsync();
            await base.DisposeAsync();
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) foreach (var owner in owners) ((IDisposable)owner).Dispose();
            base.Dispose(disposing);
        }
    }
}
