using Portal.Core.Entities;
using Portal.Core.Notifications;
using Portal.Core.Webhooks;
using Portal.Web.Auth;

namespace Portal.Web.Api;

/// <summary>Webhooks, for admins: the signing secret is shown once, when one is made; deliveries are listed with the receiver's answers.</summary>
public static class WebhooksApi
{
    public sealed record WebhookDto(string Name, string Url, IReadOnlyList<string> Events, bool Enabled, DateTime CreatedAt, string? Secret = null);

    public sealed record WebhookInputDto(string? Name, string? Url, IReadOnlyList<string>? Events, bool? Enabled);

    public sealed record DeliveryDto(long Id, string Event, string Subject, string State, int Attempts, int? ResponseStatus, string? Response,
        DateTime CreatedAt, DateTime? DeliveredAt, DateTime? NextAttemptAt, string Payload);

    public static WebhookDto ToDto(this Webhook w) => new(w.Name, w.Url, w.Events, w.Enabled, w.CreatedAt);

    public static DeliveryDto ToDto(this WebhookDelivery d) => new(d.Id, d.Event, d.Subject, d.State.ToString().ToLowerInvariant(), d.Attempts,
        d.ResponseStatus, d.Response, d.CreatedAt, d.DeliveredAt, d.NextAttemptAt, d.Payload);

    private static WebhookInput Input(WebhookInputDto d, string? name = null) => new(name ?? d.Name ?? "", d.Url ?? "", d.Events, d.Enabled ?? true);

    public static void MapWebhooksApi(this RouteGroupBuilder v1)
    {
        var g = v1.MapGroup("/webhooks").WithTags("Webhooks").RequireAuthorization(PortalPolicies.Admin);

        g.MapGet("/", async (WebhookService s, CancellationToken ct) => (await s.ListAsync(ct)).Select(w => w.ToDto()).ToList())
            .WithSummary($"Every webhook; the events are {string.Join(", ", PortalEvent.Types)}.");

        g.MapGet("/{name}", async (string name, WebhookService s, CancellationToken ct) => (await s.GetAsync(name, ct)).ToDto());

        g.MapPost("/", async (WebhookInputDto input, WebhookService s, CancellationToken ct) =>
            {
                var created = await s.CreateAsync(Input(input), ct);
                return Results.Created($"/api/v1/webhooks/{created.Webhook.Name}", created.Webhook.ToDto() with { Secret = created.Secret });
            })
            .WithSummary("Register a URL for events (none listed: all). The answer carries the signing secret, once: each delivery has "
                + "X-Portal-Signature: sha256=HMAC-SHA256(secret, X-Portal-Timestamp + '.' + body) in hex.");

        g.MapPut("/{name}", async (string name, WebhookInputDto input, WebhookService s, CancellationToken ct) => (await s.UpdateAsync(name, Input(input, name), ct)).ToDto())
            .WithSummary("Change a webhook's URL, events or whether it is on; its secret stays.");

        g.MapDelete("/{name}", async (string name, WebhookService s, CancellationToken ct) =>
            {
                await s.DeleteAsync(name, ct);
                return Results.NoContent();
            })
            .WithSummary("Remove a webhook with its deliveries.");

        g.MapPost("/{name}/ping", async (string name, WebhookService s, CancellationToken ct) =>
            {
                await s.PingAsync(name, ct);
                return Results.Accepted($"/api/v1/webhooks/{name}/deliveries");
            })
            .WithSummary("Send a 'ping' event to check the receiver.");

        g.MapGet("/{name}/deliveries", async (string name, [AsParameters] ListQuery q, WebhookService s, CancellationToken ct) =>
                (await s.DeliveriesAsync(name, q.ToPageRequest(), ct)).ToDto(d => d.ToDto()))
            .WithSummary("A webhook's deliveries, newest first, with their attempts, state and the receiver's last answer.");
    }
}
