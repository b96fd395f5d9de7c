using System.Diagnostics;
using System.Globalization;
using Portal.Core.Configuration;
using Portal.Core.Containers;

namespace Portal.Orchestration.Local;

/// <summary>
/// Who user code runs as on the local manager when the portal itself runs as root: container_manager.local_run_as,
/// or a system account the portal creates (or reuses) for it, <see cref="DefaultName"/>. Never root; the portal's data
/// directory is closed to it (see <see cref="ProtectDataDirectory"/>).
/// </summary>
public sealed record LocalAccount(string Name, int Uid, int Gid, bool Created)
{
    public const string DefaultName = "portal-work";
    public const string SetPriv = "/usr/bin/setpriv";
    private static readonly string[] DatabaseFiles = ["", "-wal", "-shm", "-journal"];

    /// <summary>The account to run as; null when the portal is not root (user code then runs as the portal's own user).</summary>
    public static LocalAccount? Resolve(PortalConfig config)
    {
        if (!Environment.IsPrivilegedProcess) return null;
        var configured = config.ContainerManager.LocalRunAs is { Length: > 0 } n ? n : null;
        var name = configured ?? DefaultName;
        if (Find(name) is { } found)
            return found.Uid == 0 ? throw new ContainerManagerException($"container_manager.local_run_as names '{name}', which is root; choose an unprivileged account.") : found;
        if (configured is not null)
            throw new ContainerManagerException($"The account '{name}' (container_manager.local_run_as) does not exist on this host; create it, or leave the setting empty.");
        Run("/usr/sbin/useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", name);
        return (Find(name) ?? throw new ContainerManagerException($"The account '{name}' could not be created.")) with { Created = true };
    }

    /// <summary>
    /// Starts <paramref name="program"/> as this account: no supplementary groups, no capability (none inheritable, an empty
    /// bounding set) and no way to gain privileges through setuid programs.
    /// </summary>
    public ProcessStartInfo Wrap(string program, IEnumerable<string> args) => new(SetPriv, [
        $"--reuid={Uid.ToString(CultureInfo.InvariantCulture)}", $"--regid={Gid.ToString(CultureInfo.InvariantCulture)}", "--clear-groups",
        "--no-new-privs", "--inh-caps=-all", "--bounding-set=-all", "--", program, .. args]);

    /// <summary>
    /// The data directory and the file store may be passed through by path (user code reads its own datasets there) but
    /// not listed (0711); the database and the key ring are the portal's alone (0600, 0700). SQLite gives its journal
    /// files the database's mode.
    /// </summary>
    public static void ProtectDataDirectory(PortalPaths paths)
    {
        if (OperatingSystem.IsWindows()) return;
        const UnixFileMode passThrough = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        foreach (var folder in new[] { paths.DataDir, paths.FileStoreRoot, Path.Combine(paths.DataDir, "run"), Path.Combine(paths.DataDir, "work"),
            Path.Combine(paths.DataDir, "volumes") })
        {
            Directory.CreateDirectory(folder);
            File.SetUnixFileMode(folder, passThrough);
        }
        var keys = Path.Combine(paths.DataDir, "keys");
        if (Directory.Exists(keys)) File.SetUnixFileMode(keys, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        foreach (var file in DatabaseFiles.Select(s => paths.DatabaseFile + s).Where(File.Exists))
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    private static LocalAccount? Find(string name)
    {
        foreach (var line in File.ReadLines("/etc/passwd"))
        {
            var f = line.Split(':');
            if (f.Length >= 4 && f[0] == name)
                return new LocalAccount(name, int.Parse(f[2], CultureInfo.InvariantCulture), int.Parse(f[3], CultureInfo.InvariantCulture), false);
        }
        return null;
    }

    private static void Run(string program, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(program, args) { RedirectStandardError = true, RedirectStandardOutput = true })
            ?? throw new ContainerManagerException($"'{program}' could not be started.");
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new ContainerManagerException($"'{program} {string.Join(' ', args)}' failed: {error.Trim()}");
    }
}
