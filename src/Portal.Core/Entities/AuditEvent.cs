namespace Portal.Core.Entities;

/// <summary>One row of the append-only audit log (Odahu's users activity audit): who did what, when, from where, and how it ended.</summary>
public sealed class AuditEvent
{
    public long Id { get; set; }
    public DateTime At { get; set; }
    public string Actor { get; set; } = "";
    /// <summary>What was attempted, e.g. "create training", "sign in", "POST /api/v1/projects".</summary>
    public string Action { get; set; } = "";
    /// <summary>What it concerned, e.g. "training iris/3".</summary>
    public string? Target { get; set; }
    public AuditOutcome Outcome { get; set; }
    /// <summary>The client's address.</summary>
    public string? Address { get; set; }
    public string? Detail { get; set; }
}

public enum AuditOutcome { Succeeded, Failed, Denied }
