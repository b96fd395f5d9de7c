using System.Diagnostics;
using System.Globalization;

namespace Portal.Core.Storage;

/// <summary>
/// Names what one portal process writes in flight (staged uploads, temp files) so that a later start can tell whose
/// it is: <c>{pid}-{start ticks}</c>. A process that no longer runs (killed mid-write) left it behind, and its files
/// can go; those of another portal running on the same data directory stay. Same host only, as a local data directory is.
/// </summary>
public static class OwnerProcess
{
    public static string Tag { get; } = TagOf(Environment.ProcessId, Process.GetCurrentProcess().StartTime.ToUniversalTime().Ticks);

    public static string TagOf(int pid, long startTicks) => string.Create(CultureInfo.InvariantCulture, $"{pid}-{startTicks}");

    /// <summary>
    /// Whether the process named by <paramref name="name"/>'s tag (its start, before any <c>_</c>) runs; false for a name
    /// without a tag.
    /// </summary>
    public static bool IsAlive(string name)
    {
        var tag = name.Split('_')[0].Split('-');
        if (tag.Length != 2 || !int.TryParse(tag[0], CultureInfo.InvariantCulture, out var pid)
            || !long.TryParse(tag[1], CultureInfo.InvariantCulture, out var ticks)) return false;
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.StartTime.ToUniversalTime().Ticks == ticks;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception) { return false; }
    }
}
