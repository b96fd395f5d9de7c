using Microsoft.AspNetCore.Components.Server.Circuits;

namespace Portal.Web.Hosting;

/// <summary>Tells <see cref="CircuitMemory"/> when a circuit opens and closes.</summary>
public sealed class CircuitMemoryHandler(CircuitMemory memory) : CircuitHandler
{
    public override Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        memory.Opened();
        return Task.CompletedTask;
    }

    public override Task OnCircuitClosedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        memory.Closed();
        return Task.CompletedTask;
    }
}
