namespace Portal.Core.Entities;

/// <summary>
/// One request through the router (Odahu's feedback loop): what was asked, what came back, how long it took, which
/// version and replica answered; feedback sent later with the same Request-ID is attached to it.
/// </summary>
public sealed class PredictionRecord
{
    public long Id { get; set; }
    public long DeploymentId { get; set; }
    public string RequestId { get; set; } = "";
    public string Path { get; set; } = "";
    public DateTime At { get; set; }
    public double LatencyMs { get; set; }
    public int Status { get; set; }
    public string? ModelVersion { get; set; }
    public string? Replica { get; set; }
    /// <summary>Request and response bodies, cut at <see cref="MaxBodyChars"/>.</summary>
    public string? Request { get; set; }
    public string? Response { get; set; }
    public string? Feedback { get; set; }
    /// <summary>The route the request came through, when it came through one.</summary>
    public string? Route { get; set; }
    /// <summary>A shadow's copy of a routed request: its answer was recorded, not returned. It shares the Request-ID.</summary>
    public bool Shadow { get; set; }
    public DateTime? FeedbackAt { get; set; }

    public const int MaxBodyChars = 64 * 1024;
}
