using System.Text.Json;

namespace Portal.Core.Notifications;

/// <summary>Publishes <see cref="PortalEvent"/>s: the services that make things happen say so here, webhooks listen.</summary>
public sealed class PortalEvents(ChangeFeed<PortalEvent> feed, TimeProvider clock)
{
    public void Publish(string type, string subject, object data) =>
        feed.Publish(new PortalEvent(type, subject, JsonSerializer.SerializeToElement(data), clock.GetUtcNow().UtcDateTime));
}
