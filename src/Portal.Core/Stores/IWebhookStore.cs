using Portal.Core.Entities;

namespace Portal.Core.Stores;

public interface IWebhookStore
{
    Task<IReadOnlyList<Webhook>> ListAsync(CancellationToken ct);
    Task<Webhook?> FindAsync(string name, CancellationToken ct);
    Task<Webhook> AddAsync(Webhook webhook, CancellationToken ct);
    Task<Webhook> MutateAsync(long id, Action<Webhook> change, CancellationToken ct);
    Task DeleteAsync(long id, CancellationToken ct);
    Task AddDeliveriesAsync(IReadOnlyCollection<WebhookDelivery> deliveries, CancellationToken ct);
    /// <summary>Pending deliveries whose time has come, oldest first.</summary>
    Task<IReadOnlyList<WebhookDelivery>> DueAsync(DateTime now, int take, CancellationToken ct);
    /// <summary>When the next pending delivery is due; null when none is pending.</summary>
    Task<DateTime?> NextDueAsync(CancellationToken ct);
    Task SaveDeliveryAsync(WebhookDelivery delivery, CancellationToken ct);
    /// <summary>A webhook's deliveries, newest first.</summary>
    Task<Page<WebhookDelivery>> DeliveriesAsync(long webhookId, PageRequest request, CancellationToken ct);
}
