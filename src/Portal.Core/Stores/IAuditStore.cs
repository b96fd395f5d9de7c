using Portal.Core.Entities;

namespace Portal.Core.Stores;

/// <summary>The audit log: rows are appended and read, never changed (the table refuses updates and deletes).</summary>
public interface IAuditStore
{
    Task AppendAsync(AuditEvent e, CancellationToken ct);
    Task<Page<AuditEvent>> QueryAsync(AuditQuery query, PageRequest page, CancellationToken ct);
}

/// <summary>Filters of the audit page: each one narrows the rows; empty means any.</summary>
public sealed record AuditQuery(string? Actor = null, string? Action = null, string? Target = null, AuditOutcome? Outcome = null, DateTime? From = null, DateTime? To = null);
