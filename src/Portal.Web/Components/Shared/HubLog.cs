namespace Portal.Web.Components.Shared;

/// <summary>A log the page can follow on <c>/hubs/logs</c> itself: the hub method (one streaming batches of lines) and its arguments before the sequence number.</summary>
public sealed record HubLog(string Method, params object[] Args)
{
    public static HubLog Training(string project, string name) => new("FollowTrainingBatches", project, name);

    public static HubLog Build(string runId) => new("FollowBuildBatches", runId);
}
