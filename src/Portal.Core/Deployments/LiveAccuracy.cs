using Portal.Core.Entities;
using Portal.Core.Stores;

namespace Portal.Core.Deployments;

/// <summary>
/// Live accuracy (what no service mesh gives): the router's records joined with the feedback sent for them by Request-ID,
/// scored by the model's kind, per deployment and per served version, over a window cut into buckets.
/// </summary>
public sealed class LiveAccuracy(IPredictionStore records, TimeProvider clock)
{
    /// <summary>The most labelled requests one report reads; a window holding more is scored on its newest ones.</summary>
    public const int MaxLabelled = 20_000;

    public async Task<AccuracyReport> ReportAsync(Deployment deployment, TimeSpan window, TimeSpan bucket, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var since = now - window;
        var kind = deployment.ModelVersion?.Model?.Kind;
        if (kind is not { } k) return new AccuracyReport(null, since, bucket, AccuracyScore.None, [], [], false);
        var labelled = await records.LabelledAsync(deployment.Id, since, MaxLabelled, ct);
        var buckets = (int)Math.Ceiling(window / bucket);
        var series = Enumerable.Range(0, buckets).Select(i => since + bucket * i)
            .Select(from => new AccuracyPoint(from, AccuracyScore.Of(k, labelled.Where(r => r.At >= from && r.At < from + bucket)))).ToList();
        var byVersion = labelled.GroupBy(r => r.ModelVersion ?? "").OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new VersionAccuracy(g.Key, AccuracyScore.Of(k, g))).ToList();
        return new AccuracyReport(k, since, bucket, AccuracyScore.Of(k, labelled), byVersion, series, labelled.Count == MaxLabelled);
    }
}
