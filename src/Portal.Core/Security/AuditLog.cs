using Microsoft.Extensions.Logging;
using Portal.Core.Entities;
using Portal.Core.Stores;

namespace Portal.Core.Security;

/// <summary>
/// Writes the audit rows that are not a stored change (sign-ins, denied attempts, failed requests).
/// Changes to stored records are audited by <c>AuditInterceptor</c> in the same transaction as the change.
/// </summary>
public sealed class AuditLog(IAuditStore store, TimeProvider clock, ILogger<AuditLog> logger)
{
    public const string Anonymous = "anonymous";

    /// <summary>The events matching <paramref name="query"/>, newest first (the audit page, the API).</summary>
    public Task<Page<AuditEvent>> QueryAsync(AuditQuery query, PageRequest page, CancellationToken ct) => store.QueryAsync(query, page, ct);

    public async Task RecordAsync(string action, string? target, AuditOutcome outcome, string? detail, CancellationToken ct, Actor? actor = null)
    {
        actor ??= ActorContext.Current;
        var row = new AuditEvent
        {
            At = clock.GetUtcNow().UtcDateTime,
            Actor = actor?.Name ?? Anonymous,
            Action = Trim(action, 200),
            Target = target is null ? null : Trim(target, 300),
            Outcome = outcome,
            Address = actor?.Address,
            Detail = detail is null ? null : Trim(detail, 1000),
        };
        try { await store.AppendAsync(row, ct); }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // An audit row that cannot be written must not hide the outcome from operators.
            logger.LogError(e, "Could not write the audit row {Actor} {Action} {Target} {Outcome}", row.Actor, row.Action, row.Target, row.Outcome);
        }
    }

    /// <summary>Throws <see cref="Errors.AccessDeniedException"/> (and records the attempt) unless the current actor holds <paramref name="role"/>.</summary>
    public async Task DemandAsync(string role, string action, string? target, CancellationToken ct)
    {
        var actor = ActorContext.Current;
        if (actor is not null && actor.Has(role)) return;
        await RecordAsync(action, target, AuditOutcome.Denied, $"needs the role {role}", ct);
        throw new Errors.AccessDeniedException(actor is null
            ? $"Sign in to {action}."
            : $"You need the {role} role to {action}; your roles: {(actor.Roles.Count == 0 ? "none" : string.Join(", ", actor.Roles))}. Ask an admin.");
    }

    private static string Trim(string s, int max) => s.Length <= max ? s : s[..max];
}
