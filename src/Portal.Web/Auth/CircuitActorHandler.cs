using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Portal.Core.Security;

namespace Portal.Web.Auth;

/// <summary>The browser's address, handed from the page request to its circuit (the circuit has no HttpContext).</summary>
public sealed class CircuitClient
{
    public string? Address { get; set; }
}

/// <summary>
/// Makes the circuit's signed-in user the audit actor for every event the browser sends (clicks, form submits),
/// so changes made from pages are audited like API calls.
/// </summary>
public sealed class CircuitActorHandler(AuthenticationStateProvider auth, CircuitClient client) : CircuitHandler
{
    public override Func<CircuitInboundActivityContext, Task> CreateInboundActivityHandler(Func<CircuitInboundActivityContext, Task> next) =>
        async context =>
        {
            var state = await auth.GetAuthenticationStateAsync();
            using (ActorContext.Use(PortalPrincipal.ActorOf(state.User, client.Address)))
                await next(context);
        };
}
