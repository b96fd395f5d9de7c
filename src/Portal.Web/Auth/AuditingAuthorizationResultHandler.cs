using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Portal.Core.Entities;
using Portal.Core.Security;

namespace Portal.Web.Auth;

/// <summary>
/// Records refused requests in the audit log (a signed-in user without the role, or a token that was refused),
/// then answers as the framework does. API callers get a problem body saying what is missing.
/// </summary>
public sealed class AuditingAuthorizationResultHandler(AuditLog audit) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        var result = authorizeResult;
        var request = context.Request;
        var what = $"{request.Method} {request.Path}";
        var address = context.Connection.RemoteIpAddress?.ToString();
        if (result.Forbidden)
        {
            var actor = PortalPrincipal.ActorOf(context.User, address);
            await audit.RecordAsync(what, null, AuditOutcome.Denied, "the user's roles do not allow it", context.RequestAborted, actor);
            if (PortalRequests.IsApi(request))
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                await context.Response.WriteAsJsonAsync(new
                {
                    title = "Your roles do not allow this.",
                    detail = $"Your roles: {string.Join(", ", actor?.Roles ?? [])}. Ask an admin for the role this needs.",
                    status = 403,
                });
                return;
            }
        }
        else if (result.Challenged && context.Items[BearerHandler.FailureKey] is string failure)
        {
            await audit.RecordAsync(what, null, AuditOutcome.Denied, failure, context.RequestAborted, new Actor(AuditLog.Anonymous, [], address));
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
            await context.Response.WriteAsJsonAsync(new { title = "The access token was refused.", detail = failure, status = 401 });
            return;
        }
        await _default.HandleAsync(next, context, policy, result);
    }
}
