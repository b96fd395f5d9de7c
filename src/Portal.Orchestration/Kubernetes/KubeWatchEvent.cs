using System.Text.Json.Nodes;

namespace Portal.Orchestration.Kubernetes;

/// <summary>One event of a watch stream: ADDED, MODIFIED, DELETED or BOOKMARK, and the object as it now is.</summary>
public sealed record KubeWatchEvent(string Type, JsonObject Item)
{
    public string? ResourceVersion => Item["metadata"]?["resourceVersion"]?.GetValue<string>();
}
