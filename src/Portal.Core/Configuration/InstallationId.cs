using System.Security.Cryptography;

namespace Portal.Core.Configuration;

/// <summary>
/// A short random id of this installation, made on first start and kept in the data directory. Names the portal gives
/// engine-wide things (the IDE's volumes) carry it, so two portals on one engine never share a user's home.
/// </summary>
public sealed class InstallationId(PortalPaths paths)
{
    public const string FileName = "installation-id";
    private readonly Lazy<string> _value = new(() => ReadOrCreate(Path.Combine(paths.DataDir, FileName)));

    public string Value => _value.Value;

    private static string ReadOrCreate(string file)
    {
        if (File.Exists(file) && File.ReadAllText(file).Trim() is { Length: > 0 } known) return known;
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var made = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        try
        {
            using var stream = new FileStream(file, FileMode.CreateNew, FileAccess.Write);
            using var writer = new StreamWriter(stream);
            writer.Write(made);
            return made;
        }
        catch (IOException) when (File.Exists(file))
        {
            // Another start made it first.
            return File.ReadAllText(file).Trim();
        }
    }
}
