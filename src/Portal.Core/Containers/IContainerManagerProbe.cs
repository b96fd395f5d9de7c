using Portal.Core.Configuration;

namespace Portal.Core.Containers;

/// <summary>Settings' "test connection": reaches the engine a candidate configuration names, without switching the running portal to it.</summary>
public interface IContainerManagerProbe
{
    Task<ConnectionReport> ProbeAsync(PortalConfig candidate, CancellationToken ct);
}

/// <summary>What the probe found: whether work could run there, a one-line summary, what to fix, and how many portal workloads the engine holds.</summary>
public sealed record ConnectionReport(string Type, bool Ready, string Summary, IReadOnlyList<string> Problems, int? PortalWorkloads);
