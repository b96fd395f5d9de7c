namespace Portal.Core.Webhooks;

/// <summary>A webhook as an admin asks for it: a name, the URL, the event types (none for all) and whether it is on.</summary>
public sealed record WebhookInput(string Name, string Url, IReadOnlyList<string>? Events = null, bool Enabled = true);
