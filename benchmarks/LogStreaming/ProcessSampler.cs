using System.Globalization;
namespace Portal.Benchmarks.LogStreaming;

/// <summary>Samples a process's CPU time and resident memory from /proc once per interval.</summary>
public sealed class ProcessSampler(int pid) : IDisposable
{
    public void Dispose() => _stop.Dispose();

    private readonly CancellationTokenSource _stop = new();
    private readonly List<double> _cpu = [];
    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux

    public double MeanCpuPercent => _cpu.Count == 0 ? 0 : _cpu.Average();
    public double PeakCpuPercent => _cpu.Count == 0 ? 0 : _cpu.Max();
    public double PeakRssMb { get; private set; }
    public double LastRssMb { get; private set; }

    public async Task RunAsync(TimeSpan interval)
    {
        var last = CpuTicks();
        var lastTime = DateTime.UtcNow;
        while (!_stop.IsCancellationRequested)
        {
            try { await Task.Delay(interval, _stop.Token); }
            catch (OperationCanceledException) { break; }
            var now = CpuTicks();
            var time = DateTime.UtcNow;
            _cpu.Add((now - last) / TicksPerSecond / (time - lastTime).TotalSeconds * 100);
            (last, lastTime) = (now, time);
            LastRssMb = RssMb();
            PeakRssMb = Math.Max(PeakRssMb, LastRssMb);
        }
    }

    public void Stop() => _stop.Cancel();

    private long CpuTicks()
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture); // utime + stime
    }

    private double RssMb() => RssMbOf(pid);

    /// <summary>The resident memory of a process now, in MB.</summary>
    public static double RssMbOf(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
    }
}
