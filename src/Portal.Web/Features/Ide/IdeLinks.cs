namespace Portal.Web.Features.Ide;

public static class IdeLinks
{
    /// <summary>The portal's page around a session (the proxy owns /ide/{user}/{session}/).</summary>
    public static string Page(string session, string? user = null) =>
        $"/ide-sessions/{Uri.EscapeDataString(session)}" + (user is null ? "" : $"?user={Uri.EscapeDataString(user)}");
}
