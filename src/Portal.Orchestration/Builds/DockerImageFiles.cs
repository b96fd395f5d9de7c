using System.Globalization;
using System.Formats.Tar;
using System.Text;
using Docker.DotNet.Models;
using Portal.Core.Builds;
using Portal.Core.Containers;
using Portal.Orchestration.Containers;
using Portal.Orchestration.Docker;

namespace Portal.Orchestration.Builds;

/// <summary>
/// Reads files out of an image on the engine's host: a container is created from the image (never started), its
/// file is fetched through the archive endpoint, and the container is removed. The image must be on this host,
/// which a project build guarantees (it builds or pulls it here).
/// </summary>
public sealed class DockerImageFiles(DockerEngine docker) : IImageFiles
{
    /// <summary>Notebooks with heavy outputs get large; past this the user is asked to clear them rather than the portal holding it all.</summary>
    public const long MaxBytes = 50L * 1024 * 1024;

    /// <summary>Marks the short-lived reader containers, so that one left by a crash is recognisable (and is not a workload).</summary>
    public const string PurposeLabel = "io.mlops-portal.purpose";

    public string? Unavailable => null;

    public async Task<ImageFile> ReadAsync(string image, string path, CancellationToken ct)
    {
        var inspect = await docker.FindAsync((c, t) => c.Images.InspectImageAsync(image, t), ct)
            ?? throw new ContainerManagerException($"The image {image} is not on the engine's host; build the project again to fetch it.");
        var workingDir = inspect.Config?.WorkingDir is { Length: > 0 } w ? w.TrimEnd('/') : "";
        var full = $"{workingDir}/{path.TrimStart('/')}";
        if (workingDir.Length == 0) workingDir = "/";

        var reader = await docker.CallAsync((c, t) => c.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Name = $"portal-read-{Guid.NewGuid():N}"[..24],
            Image = image,
            // Never started: a command is given only because images without one cannot be created otherwise.
            Cmd = ["true"],
            Labels = new Dictionary<string, string> { [PurposeLabel] = "read-image" },
            NetworkDisabled = true,
        }, t), ct);
        try
        {
            var archive = await docker.FindAsync((c, t) => c.Containers.GetArchiveFromContainerAsync(reader.ID,
                new ContainerPathStatParameters { Path = full }, statOnly: false, t), ct);
            if (archive?.Stream is null) return new ImageFile(full, workingDir, null);
            await using var response = archive.Stream;
            if (archive.Stat?.Size > MaxBytes) throw TooLarge(full, image, archive.Stat.Size);
            // Read whole before the tar is parsed: the library's chunked stream fails when TarReader reads an entry in
            // pieces that end inside a chunk (EndOfStreamException); a bounded copy reads it as the engine sends it.
            using var tar = new MemoryStream();
            await response.CopyToAsync(tar, ct);
            tar.Position = 0;
            await using var entries = new TarReader(tar);
            var entry = await entries.GetNextEntryAsync(copyData: false, ct)
                ?? throw new ContainerManagerException($"The engine returned an empty archive for {full} in {image}.");
            if (entry.EntryType == TarEntryType.Directory)
                throw new ContainerManagerException($"{full} in {image} is a folder; name a file.");
            if (entry.EntryType is TarEntryType.SymbolicLink or TarEntryType.HardLink)
                throw new ContainerManagerException($"{full} in {image} is a link to {entry.LinkName}; name that file instead.");
            if (entry.Length > MaxBytes) throw TooLarge(full, image, entry.Length);
            if (entry.DataStream is null) return new ImageFile(full, workingDir, "");
            using var text = new StreamReader(entry.DataStream, new UTF8Encoding(false));
            return new ImageFile(full, workingDir, await text.ReadToEndAsync(ct));
        }
        catch (InvalidDataException e)
        {
            throw new ContainerManagerException($"The engine's archive of {full} in {image} could not be read: {e.Message}", e);
        }
        finally
        {
            using var cleanup = new CancellationTokenSource(docker.ApiTimeout);
            try { await DockerContainerManager.RemoveContainerAsync(docker, reader.ID, cleanup.Token); }
            catch (Exception e) when (e is ContainerManagerException or OperationCanceledException) { }
        }
    }

    private static ContainerManagerException TooLarge(string full, string image, long bytes) => new(string.Create(CultureInfo.InvariantCulture,
        $"{full} in {image} is {bytes / 1048576.0:0.#} MB; files read from images may be at most {MaxBytes / 1048576} MB (clear the notebook's outputs)."));
}
