using System.Text.Json;

namespace Portal.Core.Notifications;

/// <summary>
/// Something that happened which people outside the portal may want to hear of (webhooks): its type, what it is about,
/// the facts as JSON and when. Published on a <see cref="ChangeFeed{T}"/> by the service that made it happen.
/// </summary>
public sealed record PortalEvent(string Type, string Subject, JsonElement Data, DateTime At)
{
    public const string TrainingFinished = "training.finished";
    public const string TrainingFailed = "training.failed";
    public const string VersionPublished = "version.published";
    public const string VersionPromoted = "version.promoted";
    public const string DeploymentChanged = "deployment.changed";
    public const string AccuracyAlert = "accuracy.alert";

    public static readonly IReadOnlyList<string> Types = [TrainingFinished, TrainingFailed, VersionPublished, VersionPromoted, DeploymentChanged, AccuracyAlert];
}
