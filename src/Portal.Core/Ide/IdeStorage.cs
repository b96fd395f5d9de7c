using System.Globalization;
using Portal.Core.Configuration;
using Portal.Core.Containers;

namespace Portal.Core.Ide;

/// <summary>
/// Where IDE sessions keep files: each user's home volume and the shared volume, named for this installation (see
/// <see cref="IdeConfig.VolumePrefix"/>) so two portals on one engine never share a home, and each session's work folder.
/// </summary>
public sealed class IdeStorage(PortalConfig config, PortalPaths paths, InstallationId installation)
{
    public string HomeVolume(string user) => $"{VolumePrefix}-home-{user}";
    public string SharedVolume => $"{VolumePrefix}-shared";
    private string VolumePrefix => string.IsNullOrWhiteSpace(config.Ide.VolumePrefix) ? $"portal-{installation.Value}" : config.Ide.VolumePrefix;

    /// <summary>The user's home; volume options may name the user (e.g. an NFS folder per user): {user} is replaced.</summary>
    public MountSpec Home(string user, string target) => Volume(HomeVolume(user), target, user);

    public MountSpec Shared(string target) => Volume(SharedVolume, target, "shared");

    /// <summary>
    /// Whether the volumes live off the node (a volume driver other than local, or options such as NFS's): a session may
    /// then start on any node and still find its home. The engine's default local volumes stay on their node.
    /// </summary>
    public bool SharedAcrossNodes =>
        config.Ide.VolumeOptions.Count > 0 || config.Ide.VolumeDriver is { Length: > 0 } driver && driver != "local";

    public string WorkDir(long sessionId) => Path.Combine(paths.DataDir, "work", "ide", sessionId.ToString(CultureInfo.InvariantCulture));

    public void DeleteWorkDir(long sessionId)
    {
        if (Directory.Exists(WorkDir(sessionId))) Directory.Delete(WorkDir(sessionId), recursive: true);
    }

    private MountSpec Volume(string name, string target, string user) => new(name, target, Kind: MountKind.Volume)
    {
        VolumeDriver = config.Ide.VolumeDriver,
        VolumeOptions = config.Ide.VolumeOptions.ToDictionary(o => o.Key, o => o.Value.Replace("{user}", user, StringComparison.Ordinal)),
    };
}
