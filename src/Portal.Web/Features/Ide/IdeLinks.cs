namespace Portal.Web.Features.Ide;

public static class IdeLinks
{
    /// <summary>The portal's page around a session (the proxy owns /ide/{user}/{session}/).</summary>
    public static string Page(string session, string? user = null) =>
        $"/ide-sessions/{Uri.EscapeDataString(session)}" + (user is null ? "" : $"?user={Uri.EscapeDataString(user)}");

    /// <summary>The way into a session's Jupyter: a one-time ticket for the IDE origin, then its file tree.</summary>
    public static string Open(string user, string session, string path = "tree") =>
        $"{Portal.Web.Ide.IdeProxy.OpenPath}/{Uri.EscapeDataString(user)}/{Uri.EscapeDataString(session)}?path={Uri.EscapeDataString(path)}";
}
