using Portal.Core.Security;

namespace Portal.Web.Auth;

/// <summary>Makes the signed-in user the audit actor for everything this request does.</summary>
public sealed class ActorMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        using (ActorContext.Use(PortalPrincipal.ActorOf(context.User, context.Connection.RemoteIpAddress?.ToString())))
            await next(context);
    }
}
