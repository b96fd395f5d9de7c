using System.Globalization;
using Portal.Core.Configuration;
using Portal.Core.Containers;

namespace Portal.Orchestration.Containers;

/// <summary>
/// Who user code is inside its container: container_manager.user (uid 1000 unless set), or the uid set for its image
/// in container_manager.image_users; never root. The folders of the portal's own that such a workload writes to (a
/// training's workspace) are handed to that uid first, and HOME points somewhere it may write when the spec sets none.
/// </summary>
public sealed class ContainerUser(PortalConfig config, PortalPaths paths)
{
    public const string DefaultHome = "/tmp";
    /// <summary>container_manager.user's default, for a spec that names no user (never root).</summary>
    public static readonly string Default = new ContainerManagerConfig().User;

    public string For(string image)
    {
        var repository = Repository(image);
        foreach (var (pattern, user) in config.ContainerManager.ImageUsers.OrderByDescending(p => p.Key.Length))
        {
            if (pattern == repository || pattern.EndsWith("/*", StringComparison.Ordinal) && repository.StartsWith(pattern[..^1], StringComparison.Ordinal))
                return user;
        }
        return config.ContainerManager.User;
    }

    /// <summary>The spec as it runs: its user, a HOME, and its writable folders under the data directory owned by that user.</summary>
    public WorkloadSpec Apply(WorkloadSpec spec)
    {
        var user = For(spec.Image);
        var env = new Dictionary<string, string>(spec.Env);
        env.TryAdd("HOME", DefaultHome);
        var dataDir = paths.DataDir.TrimEnd('/') + "/";
        var (uid, gid) = Ids(user);
        foreach (var mount in spec.Mounts.Where(m => m.Kind == MountKind.Bind && !m.ReadOnly && (m.Source + "/").StartsWith(dataDir, StringComparison.Ordinal)))
            HostOwnership.Grant(mount.Source, uid, gid);
        return spec with { User = user, Env = env };
    }

    /// <summary>Repository of an image reference: no tag, no digest (a registry port stays).</summary>
    public static string Repository(string image)
    {
        var at = image.IndexOf('@', StringComparison.Ordinal);
        var name = at >= 0 ? image[..at] : image;
        var colon = name.LastIndexOf(':');
        return colon > name.LastIndexOf('/') ? name[..colon] : name;
    }

    /// <summary>uid and gid of a uid[:gid] setting (the gid is the uid when not given).</summary>
    public static (int Uid, int Gid) Ids(string user)
    {
        var parts = user.Split(':');
        var uid = int.Parse(parts[0], CultureInfo.InvariantCulture);
        return (uid, parts.Length > 1 ? int.Parse(parts[1], CultureInfo.InvariantCulture) : uid);
    }

}
