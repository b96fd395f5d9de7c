using Microsoft.AspNetCore.Antiforgery;
using Portal.Core.Entities;
using Portal.Core.Security;

namespace Portal.Web.Auth;

/// <summary>
/// A browser sends the portal's cookie with any request another site makes it send (a form post, a no-cors fetch),
/// so a change through the API, the router or feedback made with the cookie must carry the page's antiforgery token
/// in the <see cref="HeaderName"/> header. Bearer tokens are not sent by browsers on their own and are unaffected.
/// The token is read from the header only: an upload's body is never parsed here.
/// </summary>
public sealed class CookieApiAntiforgery(RequestDelegate next, IAntiforgery antiforgery, AuditLog audit)
{
    public const string HeaderName = "RequestVerificationToken";

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var guarded = request.Path.StartsWithSegments("/api") || request.Path.StartsWithSegments("/model")
            || request.Path.StartsWithSegments("/feedback");
        if (!guarded || HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method)
            || BearerHandler.TokenOf(request) is not null || context.User.Identity?.IsAuthenticated != true)
        {
            await next(context);
            return;
        }
        if (request.Headers[HeaderName].Count == 0 || !await antiforgery.IsRequestValidAsync(context))
        {
            await audit.RecordAsync($"{request.Method} {request.Path}", request.Path, AuditOutcome.Denied,
                "cookie without the page's antiforgery token", context.RequestAborted,
                PortalPrincipal.ActorOf(context.User, context.Connection.RemoteIpAddress?.ToString()));
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await context.Response.WriteAsJsonAsync(new
            {
                title = "This change needs the page's antiforgery token.",
                status = 403,
                detail = $"A request made with the sign-in cookie must send the {HeaderName} header of a portal page; " +
                    "scripts and tools call the API with a bearer token (Tokens page) instead.",
            }, context.RequestAborted);
            return;
        }
        await next(context);
    }
}
