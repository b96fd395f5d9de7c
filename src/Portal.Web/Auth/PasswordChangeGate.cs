namespace Portal.Web.Auth;

/// <summary>
/// A user signed in with a one-time password may do nothing but choose a new one: pages send them to the
/// password page, API calls get a 403 saying so.
/// </summary>
public sealed class PasswordChangeGate(RequestDelegate next)
{
    public const string PasswordPage = "/account/password";
    public const string SignOutPath = "/account/signout";

    public Task InvokeAsync(HttpContext context)
    {
        if (context.User.HasClaim(PortalPrincipal.MustChangePasswordClaim, "true")
            && !context.Request.Path.StartsWithSegments(PasswordPage)
            && !context.Request.Path.StartsWithSegments(SignOutPath)
            && !context.Request.Path.StartsWithSegments("/_framework")
            && !context.Request.Path.StartsWithSegments("/_content")
            && !context.Request.Path.StartsWithSegments("/assets"))
        {
            if (PortalRequests.IsApi(context.Request))
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                return context.Response.WriteAsJsonAsync(new { title = "Choose a new password first.", detail = $"Your password was set by an admin; change it at {PasswordPage}." });
            }
            context.Response.Redirect(PasswordPage);
            return Task.CompletedTask;
        }
        return next(context);
    }
}
