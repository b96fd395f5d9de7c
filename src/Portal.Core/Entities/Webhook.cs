namespace Portal.Core.Entities;

/// <summary>A URL an admin registered to hear of events; each delivery is signed with its secret (HMAC-SHA256).</summary>
public sealed class Webhook
{
    public long Id { get; set; }
    public string Name { get; set; } = "";
    public string Url { get; set; } = "";
    /// <summary>Event types (see <c>PortalEvent.Types</c>) it is sent; empty means every one.</summary>
    public List<string> Events { get; set; } = [];
    /// <summary>The signing secret, protected with the portal's key ring; shown once, when the webhook is made.</summary>
    public string Secret { get; set; } = "";
    public bool Enabled { get; set; } = true;
    public DateTime CreatedAt { get; set; }
}

/// <summary>One event sent (or to be sent) to one webhook: its attempts, the last response, and when to try again.</summary>
public sealed class WebhookDelivery
{
    public long Id { get; set; }
    public long WebhookId { get; set; }
    public string Event { get; set; } = "";
    public string Subject { get; set; } = "";
    public string Payload { get; set; } = "";
    public DeliveryState State { get; set; }
    public int Attempts { get; set; }
    public int? ResponseStatus { get; set; }
    /// <summary>The start of the receiver's last answer, or why there was none.</summary>
    public string? Response { get; set; }
    public DateTime? NextAttemptAt { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? DeliveredAt { get; set; }

    public const int MaxResponseChars = 2000;
}

public enum DeliveryState { Pending, Delivered, Failed }
