using Portal.Core.Configuration;

namespace Portal.Core.Security;

/// <summary>
/// Which host folders a user may name for their work: a project's home directory, a training's extra mounts, an IDE's
/// editable project and a build context. Only what resolves (symlinks followed) to a folder under one of
/// <c>security.host_paths</c> and outside the portal's data directory; never a socket, device or plain file. Admins
/// decide for themselves (their changes are audited), and work the portal does on its own (no actor) is its own.
/// </summary>
public sealed class HostPaths(PortalConfig live, PortalPaths paths)
{
    /// <summary>Null when <paramref name="actor"/> may use <paramref name="path"/>; else what to do, naming the setting.</summary>
    public string? Problem(string path, Actor? actor)
    {
        if (actor is null || actor.Has(Roles.Admin)) return null;
        if (DataDirProblem(path) is { } dataDir) return dataDir;
        var real = RealPath(path);
        if (!Directory.Exists(real))
            return $"{path} is not a folder on the portal's host (sockets, devices and single files cannot be used).";
        var allowed = live.Security.HostPaths.Where(p => p.Length > 0).ToList();
        if (allowed.Any(a => Inside(real, RealPath(a)))) return null;
        return $"{path} is not under a host folder an admin opened to users (security.host_paths: " +
            $"{(allowed.Count == 0 ? "none" : string.Join(", ", allowed))}). Ask an admin to add one in Settings, or use a git repository.";
    }

    /// <summary>Whatever the actor: a path that resolves into the data directory (the database and the key ring) is refused.</summary>
    public string? DataDirProblem(string path) => Inside(RealPath(path), RealPath(paths.DataDir))
        ? $"{path} is inside the portal's data directory, which holds its database and keys; users may not reach it."
        : null;

    private static bool Inside(string path, string folder) =>
        path == folder || path.StartsWith(folder.TrimEnd('/') + "/", StringComparison.Ordinal) || folder == "/";

    /// <summary>The path with every symbolic link along it resolved, as the kernel would follow it.</summary>
    public static string RealPath(string path)
    {
        var current = "/";
        var hops = 0;
        var pending = new Queue<string>(Path.GetFullPath(path).Split('/', StringSplitOptions.RemoveEmptyEntries));
        while (pending.TryDequeue(out var part))
        {
            var next = Path.Combine(current, part);
            FileSystemInfo info = Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
            if (info.LinkTarget is { } target && ++hops < 40)
            {
                // Continue from the link's target, then the rest of the path.
                var full = Path.GetFullPath(target, current);
                var rest = pending.ToList();
                pending = new Queue<string>(full.Split('/', StringSplitOptions.RemoveEmptyEntries).Concat(rest));
                current = "/";
                continue;
            }
            current = next;
        }
        return current;
    }
}
