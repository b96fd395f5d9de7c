using System.IO.Compression;

namespace Portal.Core.Containers;

/// <summary>
/// The portal's Python toolkit (portal_toolkit), shipped next to the portal's binaries. Managers put this copy
/// on every workload's PYTHONPATH (mounted read-only in containers), so the toolkit always speaks the API of the
/// portal that started the work, whatever version the image was built with.
/// </summary>
public static class PortalToolkit
{
    public static string Directory => Path.Combine(AppContext.BaseDirectory, "toolkit");

    /// <summary>Where containers see it; the notebook base image has its own copy there too.</summary>
    public const string ContainerPath = "/opt/portal/toolkit";

    private static readonly Lazy<byte[]> ZipBytes = new(() =>
    {
        using var zip = new MemoryStream();
        ZipFile.CreateFromDirectory(Directory, zip, CompressionLevel.Fastest, includeBaseDirectory: false);
        return zip.ToArray();
    });

    /// <summary>The toolkit as a zip, for work that cannot mount it: Python imports straight from it (zipimport).</summary>
    public static byte[] Zip => ZipBytes.Value;
}
