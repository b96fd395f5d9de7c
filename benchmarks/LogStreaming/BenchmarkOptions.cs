using System.Globalization;
namespace Portal.Benchmarks.LogStreaming;

public sealed record BenchmarkOptions(string PortalExecutable, int Rate, int Seconds, int Subscribers, int Batch)
{
    /// <summary>--portal PATH --rate 5000 --seconds 60 --subscribers 20 --batch 50</summary>
    public static BenchmarkOptions Parse(string[] args)
    {
        string Get(string name, string fallback)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        }
        return new BenchmarkOptions(Get("--portal", ""), int.Parse(Get("--rate", "5000"), CultureInfo.InvariantCulture), int.Parse(Get("--seconds", "60"), CultureInfo.InvariantCulture),
            int.Parse(Get("--subscribers", "20"), CultureInfo.InvariantCulture), int.Parse(Get("--batch", "50"), CultureInfo.InvariantCulture));
    }
}
