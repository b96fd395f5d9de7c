namespace Portal.Web.Components.Shared;

/// <summary>A log the page can follow on <c>/hubs/logs</c> itself: the hub method and its arguments before the sequence number.</summary>
public sealed record HubLog(string Method, params object[] Args)
{
    public static HubLog Training(string project, string name) => new("FollowTraining", project, name);

    public static HubLog Build(string runId) => new("FollowBuild", runId);
}
