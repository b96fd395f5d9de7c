using System.Runtime.InteropServices;
using Portal.Core.Containers;

namespace Portal.Orchestration.Containers;

/// <summary>Hands folders of the portal's to the unprivileged user that runs user code (in a container or on the host).</summary>
public static partial class HostOwnership
{
    /// <summary>
    /// Hands a folder to the workload's uid. As root the portal changes the owner; otherwise it cannot, and opens the
    /// folder to everyone instead (it is the workload's own workspace, mounted nowhere else).
    /// </summary>
    public static void Grant(string folder, int uid, int gid)
    {
        if (OperatingSystem.IsWindows() || !Directory.Exists(folder)) return;
        foreach (var path in Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories).Prepend(folder))
        {
            if (Environment.IsPrivilegedProcess)
            {
                if (LChown(path, uid, gid) != 0)
                    throw new ContainerManagerException($"Could not hand '{path}' to uid {uid} (errno {Marshal.GetLastPInvokeError()}).");
            }
            else if (File.GetAttributes(path).HasFlag(FileAttributes.Directory))
                File.SetUnixFileMode(path, (UnixFileMode)0x1FF);
            else
                File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
        }
    }

    [LibraryImport("libc", EntryPoint = "lchown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LChown(string path, int owner, int group);
}
