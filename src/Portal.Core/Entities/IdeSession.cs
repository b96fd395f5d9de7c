namespace Portal.Core.Entities;

/// <summary>A user's Jupyter server in a container (Noronha's <c>nha note</c>), reached only through the portal's proxy.</summary>
public sealed class IdeSession
{
    public long Id { get; set; }
    /// <summary>Unique per user; part of the proxy path /ide/{user}/{name}/.</summary>
    public string Name { get; set; } = "";
    public string User { get; set; } = "";
    public string Image { get; set; } = "";
    public string? ResourceProfile { get; set; }
    public List<DatasetRef> Datasets { get; set; } = [];
    /// <summary>Model versions mounted read-only, as model/version, and the project mounted for editing.</summary>
    public List<string> ModelVersions { get; set; } = [];
    public string? EditProject { get; set; }
    public Dictionary<string, string> Env { get; set; } = [];
    /// <summary>Jupyter's token, encrypted with the portal's key ring; never shown to anyone.</summary>
    public string ProtectedToken { get; set; } = "";
    /// <summary>The personal access token the session's notebooks use (PORTAL_TOKEN), revoked when the session stops.</summary>
    public long? AccessTokenId { get; set; }
    public string? Manager { get; set; }
    public string? WorkloadId { get; set; }
    public TaskInfo Task { get; set; } = new();
    public DateTime? LastActivity { get; set; }
    public DateTime CreatedAt { get; set; }
}
