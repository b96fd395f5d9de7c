using System.Security.Cryptography;
using System.Text.Json;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Notifications;
using Portal.Core.Security;
using Portal.Core.Services;
using Portal.Core.Stores;

namespace Portal.Core.Webhooks;

/// <summary>
/// Webhooks (admins only): the one writer of their rows. Every published <see cref="PortalEvent"/> becomes a pending
/// delivery for each enabled webhook that wants it, stored at once so a restart loses none; <c>WebhookSender</c> sends them.
/// </summary>
public sealed class WebhookService
{
    private readonly IWebhookStore _store;
    private readonly ISecretProtector _protector;
    private readonly AuditLog _audit;
    private readonly TimeProvider _clock;

    public WebhookService(IWebhookStore store, ISecretProtector protector, AuditLog audit, ChangeFeed<PortalEvent> events, TimeProvider clock)
    {
        (_store, _protector, _audit, _clock) = (store, protector, audit, clock);
        events.Subscribe(_ => true, QueueAsync);
    }

    /// <summary>Raised after deliveries were queued, so the sender need not wait for its next look.</summary>
    public event Action? Queued;

    public sealed record Created(Webhook Webhook, string Secret);

    public Task<IReadOnlyList<Webhook>> ListAsync(CancellationToken ct) => _store.ListAsync(ct);

    public async Task<Webhook> GetAsync(string name, CancellationToken ct) => await _store.FindAsync(name, ct) ?? throw new NotFoundException("webhook", name);

    public async Task<Created> CreateAsync(WebhookInput input, CancellationToken ct)
    {
        await _audit.DemandAsync(Roles.Admin, "register a webhook", $"webhook {input.Name}", ct);
        var name = input.Name.Trim();
        var errors = new ValidationErrors();
        InputRules.Name(errors, "name", name, "webhook name");
        var events = Check(input, errors);
        if (!errors.Has("name") && await _store.FindAsync(name, ct) is not null) errors.Add("name", $"A webhook named '{name}' already exists.");
        errors.ThrowIfAny();
        var secret = "whsec_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var webhook = await _store.AddAsync(new Webhook
        {
            Name = name, Url = input.Url.Trim(), Events = events, Secret = _protector.Protect(secret), Enabled = input.Enabled,
            CreatedAt = _clock.GetUtcNow().UtcDateTime,
        }, ct);
        return new Created(webhook, secret);
    }

    public async Task<Webhook> UpdateAsync(string name, WebhookInput input, CancellationToken ct)
    {
        await _audit.DemandAsync(Roles.Admin, "change a webhook", $"webhook {name}", ct);
        var webhook = await GetAsync(name, ct);
        var errors = new ValidationErrors();
        var events = Check(input, errors);
        errors.ThrowIfAny();
        return await _store.MutateAsync(webhook.Id, w => (w.Url, w.Events, w.Enabled) = (input.Url.Trim(), events, input.Enabled), ct);
    }

    public async Task DeleteAsync(string name, CancellationToken ct)
    {
        await _audit.DemandAsync(Roles.Admin, "remove a webhook", $"webhook {name}", ct);
        await _store.DeleteAsync((await GetAsync(name, ct)).Id, ct);
    }

    public async Task<Page<WebhookDelivery>> DeliveriesAsync(string name, PageRequest page, CancellationToken ct) =>
        await _store.DeliveriesAsync((await GetAsync(name, ct)).Id, page, ct);

    /// <summary>Queues a <c>ping</c> to one webhook, to check the receiver from the settings page.</summary>
    public async Task PingAsync(string name, CancellationToken ct)
    {
        var webhook = await GetAsync(name, ct);
        var ping = new PortalEvent("ping", $"webhook {name}", JsonSerializer.SerializeToElement(new { webhook = name }), _clock.GetUtcNow().UtcDateTime);
        await _store.AddDeliveriesAsync([Delivery(webhook, ping)], ct);
        Queued?.Invoke();
    }

    /// <summary>The signing secret in clear, for the sender.</summary>
    public string SecretOf(Webhook webhook) => _protector.Unprotect(webhook.Secret);

    private async Task QueueAsync(PortalEvent e)
    {
        var wanting = (await _store.ListAsync(CancellationToken.None)).Where(w => w.Enabled && (w.Events.Count == 0 || w.Events.Contains(e.Type))).ToList();
        if (wanting.Count == 0) return;
        await _store.AddDeliveriesAsync([.. wanting.Select(w => Delivery(w, e))], CancellationToken.None);
        Queued?.Invoke();
    }

    private WebhookDelivery Delivery(Webhook w, PortalEvent e) => new()
    {
        WebhookId = w.Id, Event = e.Type, Subject = e.Subject, State = DeliveryState.Pending, CreatedAt = _clock.GetUtcNow().UtcDateTime,
        Payload = JsonSerializer.Serialize(new { @event = e.Type, subject = e.Subject, at = e.At, data = e.Data }),
    };

    private static List<string> Check(WebhookInput input, ValidationErrors errors)
    {
        var url = input.Url?.Trim() ?? "";
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            errors.Add("url", $"'{url}' is not an http(s) address; give the receiver's full URL, e.g. https://hooks.example.com/portal.");
        else if (uri.UserInfo.Length > 0)
            errors.Add("url", "The address carries a user name or password; every admin would see it. The signature proves the sender instead.");
        var events = (input.Events ?? []).Select(e => e.Trim()).Where(e => e.Length > 0).Distinct().ToList();
        foreach (var unknown in events.Where(e => !PortalEvent.Types.Contains(e)))
            errors.Add("events", $"'{unknown}' is not an event; use {string.Join(", ", PortalEvent.Types)} (or none for all).");
        return events;
    }
}
