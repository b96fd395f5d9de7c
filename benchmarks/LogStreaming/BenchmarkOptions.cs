using System.Globalization;

namespace Portal.Benchmarks.LogStreaming;

/// <param name="Pages">Rounds of browser pages on one training page (each round also measures as many hub followers).</param>
/// <param name="IdlePages">Signed-in pages left open on /projects for the idle-circuit figures (0: skip).</param>
public sealed record BenchmarkOptions(string PortalExecutable, int Rate, int Seconds, int[] Pages, int Batch, int IdlePages, int IdleWaitSeconds)
{
    /// <summary>--portal PATH --rate 2000 --seconds 30 --pages 1,5,20 --batch 50 --idle 100 --idle-wait 300</summary>
    public static BenchmarkOptions Parse(string[] args)
    {
        string Get(string name, string fallback)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        }
        int Int(string name, string fallback) => int.Parse(Get(name, fallback), CultureInfo.InvariantCulture);
        return new BenchmarkOptions(Get("--portal", ""), Int("--rate", "2000"), Int("--seconds", "30"),
            [.. Get("--pages", "1,5,20").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(p => int.Parse(p, CultureInfo.InvariantCulture))],
            Int("--batch", "50"), Int("--idle", "100"), Int("--idle-wait", "300"));
    }
}
