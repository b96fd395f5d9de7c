using System.Text;
using Portal.Core.Configuration;
using Portal.Core.Entities;
using Portal.Core.Stores;
using Portal.Core.Webhooks;

namespace Portal.Web.Hosting;

/// <summary>
/// Sends pending webhook deliveries: signed POSTs of the event's JSON. A 2xx answer delivers it; anything else (or no
/// answer in <c>webhooks.timeout_seconds</c>) is tried again after <c>retry_seconds</c>, four times longer each time,
/// up to <c>max_attempts</c>. Each attempt's status and the start of the answer are kept for the settings page.
/// </summary>
public sealed class WebhookSender(IWebhookStore store, WebhookService webhooks, IHttpClientFactory clients, PortalConfig config, TimeProvider clock,
    ILogger<WebhookSender> logger) : BackgroundService
{
    public const string HttpClientName = "webhooks";
    private readonly SemaphoreSlim _wake = new(0);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        webhooks.Queued += Wake;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                IReadOnlyList<WebhookDelivery> due = [];
                try { due = await store.DueAsync(clock.GetUtcNow().UtcDateTime, 50, stoppingToken); }
                catch (Exception e) when (e is InvalidOperationException or Microsoft.EntityFrameworkCore.DbUpdateException)
                {
                    logger.LogWarning(e, "Pending webhook deliveries could not be read");
                }
                if (due.Count > 0)
                {
                    var hooks = (await store.ListAsync(stoppingToken)).ToDictionary(w => w.Id);
                    await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = stoppingToken },
                        async (delivery, ct) => await SendAsync(delivery, hooks.GetValueOrDefault(delivery.WebhookId), ct));
                    continue;
                }
                // Woken by a new delivery, or when the next retry is due (every half minute at most, for another portal's).
                await _wake.WaitAsync(await UntilNextDueAsync(stoppingToken), stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
        finally { webhooks.Queued -= Wake; }
    }

    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(30);

    private async Task<TimeSpan> UntilNextDueAsync(CancellationToken ct)
    {
        try
        {
            if (await store.NextDueAsync(ct) is not { } next) return MaxWait;
            var wait = next - clock.GetUtcNow().UtcDateTime;
            return wait <= TimeSpan.Zero ? TimeSpan.FromMilliseconds(50) : wait < MaxWait ? wait : MaxWait;
        }
        catch (Exception e) when (e is InvalidOperationException or Microsoft.EntityFrameworkCore.DbUpdateException)
        {
            return TimeSpan.FromSeconds(1);
        }
    }

    private void Wake() => _wake.Release();

    private async Task SendAsync(WebhookDelivery delivery, Webhook? webhook, CancellationToken ct)
    {
        if (webhook is null) return;
        var body = Encoding.UTF8.GetBytes(delivery.Payload);
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds();
        using var message = new HttpRequestMessage(HttpMethod.Post, webhook.Url) { Content = new ByteArrayContent(body) };
        message.Content.Headers.ContentType = new("application/json");
        message.Headers.Add(WebhookSignature.EventHeader, delivery.Event);
        message.Headers.Add(WebhookSignature.DeliveryHeader, delivery.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        message.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        message.Headers.Add(WebhookSignature.Header, WebhookSignature.Sign(webhooks.SecretOf(webhook), timestamp, body));
        delivery.Attempts++;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(config.Webhooks.TimeoutSeconds));
            using var response = await clients.CreateClient(HttpClientName).SendAsync(message, timeout.Token);
            var text = await response.Content.ReadAsStringAsync(timeout.Token);
            delivery.ResponseStatus = (int)response.StatusCode;
            delivery.Response = text.Length <= WebhookDelivery.MaxResponseChars ? text : text[..WebhookDelivery.MaxResponseChars];
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            delivery.ResponseStatus = null;
            delivery.Response = e is TaskCanceledException ? $"No answer within {config.Webhooks.TimeoutSeconds} s." : e.Message;
        }
        var now = clock.GetUtcNow().UtcDateTime;
        if (delivery.ResponseStatus is >= 200 and < 300)
        {
            (delivery.State, delivery.DeliveredAt, delivery.NextAttemptAt) = (DeliveryState.Delivered, now, null);
        }
        else if (delivery.Attempts >= config.Webhooks.MaxAttempts)
        {
            (delivery.State, delivery.NextAttemptAt) = (DeliveryState.Failed, null);
            logger.LogWarning("Webhook {Webhook} gave up on {Event} after {Attempts} attempts: {Response}", webhook.Name, delivery.Event, delivery.Attempts,
                delivery.Response);
        }
        else delivery.NextAttemptAt = now + TimeSpan.FromSeconds(config.Webhooks.RetrySeconds * Math.Pow(4, delivery.Attempts - 1));
        await store.SaveDeliveryAsync(delivery, CancellationToken.None);
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }
}
