using Portal.Core.Entities;

namespace Portal.Core.Deployments;

/// <summary>A deployment's live accuracy over a window: overall, per served version, and per time bucket (oldest first).</summary>
public sealed record AccuracyReport(ModelKind? Kind, DateTime Since, TimeSpan Bucket, AccuracyScore Overall,
    IReadOnlyList<VersionAccuracy> ByVersion, IReadOnlyList<AccuracyPoint> Series, bool Truncated);

public sealed record VersionAccuracy(string Version, AccuracyScore Score);

public sealed record AccuracyPoint(DateTime From, AccuracyScore Score);
