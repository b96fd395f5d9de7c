using System.Net.Http;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Components;
using Portal.Core.Entities;
using Portal.Core.Security;
using Portal.Web.Auth;
using Portal.Web.Features.Ide;

namespace Portal.Web.Features.Account;

/// <summary>The logic of <c>SignInPage.razor</c>.</summary>
public sealed partial class SignInPage
{

    [CascadingParameter] private HttpContext HttpContext { get; set; } = default!;
    [SupplyParameterFromQuery(Name = "ReturnUrl")] private string? ReturnUrl { get; set; }
    [SupplyParameterFromForm(Name = "Input")] private SignInForm? Form { get; set; }

    // The form binder sets Form on a post; a plain visit starts empty.
    private SignInForm Input => Form ??= new();

    private string? _error;
    private Portal.Core.Configuration.OidcConfig? _oidc;

    public sealed class SignInForm
    {
        public string Username { get; set; } = "";
        public string Password { get; set; } = "";
    }

    protected override void OnInitialized()
    {
        _oidc = Config.Auth.Mode == "oidc" ? Config.Auth.Oidc : null;
        if (!HttpMethods.IsPost(HttpContext.Request.Method)) _error = Portal.Web.Auth.SignInPage.TakeError(HttpContext);
    }

    private async Task SignInAsync()
    {
        if (!Config.Auth.LocalAccounts) return;
        UserService.SignInResult result;
        using (ActorContext.Use(new Actor(AuditLog.Anonymous, [], HttpContext.Connection.RemoteIpAddress?.ToString())))
            result = await Users.SignInLocalAsync(Input.Username, Input.Password, HttpContext.RequestAborted);
        if (result.User is null)
        {
            _error = result.Error;
            Input.Password = "";
            return;
        }
        await HttpContext.SignInAsync(PortalAuthentication.CookieScheme, PortalPrincipal.For(result.User, "local", PortalAuthentication.CookieScheme));
        Nav.NavigateTo(result.User.MustChangePassword ? PasswordChangeGate.PasswordPage : Portal.Web.Auth.SignInPage.SafeReturnUrl(ReturnUrl));
    }
}
