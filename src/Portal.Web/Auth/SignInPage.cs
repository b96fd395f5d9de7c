namespace Portal.Web.Auth;

/// <summary>
/// Where people sign in, and how a failed provider sign-in tells them why: the message rides in a short-lived
/// cookie, not the address, so nobody can craft a sign-in page that shows their own text.
/// </summary>
public static class SignInPage
{
    public const string Path = "/signin";
    public const string ErrorCookie = "portal.signin_error";

    public static void RedirectWithError(HttpResponse response, string message)
    {
        response.Cookies.Append(ErrorCookie, message, new CookieOptions
        {
            HttpOnly = true, SameSite = SameSiteMode.Lax, Secure = response.HttpContext.Request.IsHttps, Path = Path, MaxAge = TimeSpan.FromMinutes(1),
        });
        response.Redirect(Path);
    }

    /// <summary>The pending error, removed as it is read.</summary>
    public static string? TakeError(HttpContext context)
    {
        if (!context.Request.Cookies.TryGetValue(ErrorCookie, out var message)) return null;
        context.Response.Cookies.Delete(ErrorCookie, new CookieOptions { Path = Path });
        return message;
    }

    /// <summary>A local return address, or "/" for anything that would leave the portal.</summary>
    public static string SafeReturnUrl(string? returnUrl) =>
        returnUrl is { Length: > 0 } && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//", StringComparison.Ordinal) && !returnUrl.StartsWith("/\\", StringComparison.Ordinal)
            ? returnUrl : "/";
}
