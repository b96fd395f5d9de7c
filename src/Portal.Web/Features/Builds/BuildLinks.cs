namespace Portal.Web.Features.Builds;

public static class BuildLinks
{
    public static string New(string project) => $"/projects/{Uri.EscapeDataString(project)}/builds/new";
    public static string Run(string project, string runId) => $"/projects/{Uri.EscapeDataString(project)}/builds/{runId}";
    public static string VersionLog(string project, string tag) => $"/api/v1/projects/{Uri.EscapeDataString(project)}/builds/{Uri.EscapeDataString(tag)}/log";
    public static string RunLog(string runId) => $"/api/v1/builds/{runId}/log";
}
