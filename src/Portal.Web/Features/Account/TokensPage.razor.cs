using MudBlazor;
using Microsoft.AspNetCore.Components;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Web.Auth;
using Portal.Web.Components.Shared;
using Portal.Web.Features.Ide;

namespace Portal.Web.Features.Account;

/// <summary>The logic of <c>TokensPage.razor</c>.</summary>
public sealed partial class TokensPage
{

    private readonly FormErrors _errors = new FormErrors().Fields("name", "days");
    private IReadOnlyList<AccessToken> _tokens = [];
    private string _name = "";
    private int _days = 90;
    private string? _secret;

    protected override async Task OnInitializedAsync() => await LoadAsync();

    private async Task LoadAsync() => _tokens = await Tokens.ListAsync(await CurrentUser.NameAsync(), Aborted);

    private async Task CreateAsync()
    {
        _errors.Clear();
        _secret = null;
        try
        {
            _secret = (await Tokens.IssueAsync(await CurrentUser.NameAsync(), _name, _days, Aborted)).Secret;
            _name = "";
            await LoadAsync();
        }
        catch (PortalException e) { _errors.Set(e); }
    }

    private async Task RevokeAsync(AccessToken t)
    {
        if (await Dialogs.ConfirmAsync($"Revoke the token '{t.Name}'? Anything using it is refused from its next request.", "Revoke token",
                "Revoke", "Keep it") != true) return;
        await Tokens.RevokeAsync(await CurrentUser.NameAsync(), t.Id, Aborted);
        Notifications.Notify(Severity.Success, "Revoked", $"The token '{t.Name}' no longer works.");
        await LoadAsync();
    }
}
