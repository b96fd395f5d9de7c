using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Components;
using Portal.Core.Errors;
using Portal.Core.Security;
using Portal.Web.Auth;

namespace Portal.Web.Features.Account;

/// <summary>The logic of <c>ChangePasswordPage.razor</c>.</summary>
public sealed partial class ChangePasswordPage
{

    [CascadingParameter] private HttpContext HttpContext { get; set; } = default!;
    [SupplyParameterFromForm(Name = "Input")] private PasswordForm? Form { get; set; }

    // The form binder sets Form on a post; a plain visit starts empty.
    private PasswordForm Input => Form ??= new();

    private string? _error, _method;
    private bool _mustChange;

    public sealed class PasswordForm
    {
        public string Current { get; set; } = "";
        public string Next { get; set; } = "";
        public string Repeat { get; set; } = "";
    }

    /// <summary>Shows the problem; the typed passwords are not sent back into the page.</summary>
    private void Fail(string message)
    {
        _error = message;
        Form = new PasswordForm();
    }

    protected override void OnInitialized()
    {
        _method = PortalPrincipal.Method(HttpContext.User);
        _mustChange = HttpContext.User.HasClaim(PortalPrincipal.MustChangePasswordClaim, "true");
    }

    private async Task ChangeAsync()
    {
        if (Input.Next != Input.Repeat) { Fail("The two new passwords differ."); return; }
        var name = PortalAuthentication.NameOf(HttpContext.User);
        try
        {
            using (ActorContext.Use(PortalPrincipal.ActorOf(HttpContext.User, HttpContext.Connection.RemoteIpAddress?.ToString())))
                await Users.ChangePasswordAsync(name, Input.Current, Input.Next, HttpContext.RequestAborted);
        }
        catch (PortalException e) { Fail(e.Message); return; }
        // A fresh cookie without the must-change mark.
        var user = (await Users.FindAsync(name, HttpContext.RequestAborted))!;
        await HttpContext.SignInAsync(PortalAuthentication.CookieScheme, PortalPrincipal.For(user, "local", PortalAuthentication.CookieScheme));
        Nav.NavigateTo("/");
    }
}
