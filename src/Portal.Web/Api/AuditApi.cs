using Portal.Core.Entities;
using Portal.Core.Stores;
using Portal.Web.Auth;

namespace Portal.Web.Api;

/// <summary>The audit log, read-only, for team leads and admins.</summary>
public static class AuditApi
{
    public sealed record AuditDto(long Id, DateTime At, string Actor, string Action, string? Target, string Outcome, string? Address, string? Detail);

    public static AuditDto ToDto(this AuditEvent e) => new(e.Id, e.At, e.Actor, e.Action, e.Target, e.Outcome.ToString().ToLowerInvariant(), e.Address, e.Detail);

    public static void MapAuditApi(this RouteGroupBuilder v1)
    {
        v1.MapGet("/audit", async (string? actor, string? action, string? target, string? outcome, DateTime? from, DateTime? to, int? skip, int? take,
                Portal.Core.Security.AuditLog store, CancellationToken ct) =>
            {
                AuditOutcome? o = null;
                if (!string.IsNullOrEmpty(outcome))
                    o = Enum.TryParse<AuditOutcome>(outcome, true, out var parsed) ? parsed
                        : throw new Core.Errors.ValidationFailedException("outcome", $"'{outcome}' is not an outcome; use succeeded, failed or denied.");
                var page = await store.QueryAsync(new AuditQuery(actor, action, target, o, from?.ToUniversalTime(), to?.ToUniversalTime()), new PageRequest(skip ?? 0, take ?? 50), ct);
                return page.ToDto(e => e.ToDto());
            })
            .WithTags("Audit").RequireAuthorization(PortalPolicies.Lead)
            .WithSummary("Who did what, when, from where, and how it ended; newest first. Filters: actor, action, target (contains), outcome, from, to.");
    }
}
