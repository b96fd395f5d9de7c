using Portal.Core.Entities;

namespace Portal.Core.Services;

/// <summary>How a deployment did over some requests: count, share of errors (status 400 and up), latency percentiles (null without requests).</summary>
public sealed record PredictionStats(int Count, double ErrorRate, double? P50Ms, double? P99Ms)
{
    public static PredictionStats Of(IReadOnlyCollection<PredictionRecord> records)
    {
        if (records.Count == 0) return new PredictionStats(0, 0, null, null);
        var latencies = records.Select(r => r.LatencyMs).Order().ToArray();
        double At(double p) => latencies[Math.Min(latencies.Length - 1, (int)(p * latencies.Length))];
        return new PredictionStats(records.Count, records.Count(r => r.Status >= 400) / (double)records.Count, At(0.5), At(0.99));
    }
}
