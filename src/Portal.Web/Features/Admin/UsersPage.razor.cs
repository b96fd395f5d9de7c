using MudBlazor;
using Microsoft.AspNetCore.Components;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Security;
using Portal.Core.Stores;
using Portal.Web.Auth;
using Portal.Web.Components.Shared;
using Portal.Web.Features.Ide;

namespace Portal.Web.Features.Admin;

/// <summary>The logic of <c>UsersPage.razor</c>.</summary>
public sealed partial class UsersPage
{

    private readonly FormErrors _errors = new FormErrors().Fields("name", "email", "roles");
    private MudDataGrid<PortalUser>? _grid;
    private string _search = "", _name = "", _display = "", _email = "", _role = Roles.DataScientist;
    private (string Name, string Password)? _oneTime;

    private async Task<GridData<PortalUser>> LoadAsync(GridState<PortalUser> state, CancellationToken ct) =>
        (await Users.ListAsync(new PageRequest(state.Page * state.PageSize, state.PageSize, _search), ct)).ToGridData();

    private async Task OnSearch(string search)
    {
        _search = search;
        if (_grid is not null) await _grid.ReloadServerData();
    }

    private async Task ReloadAsync()
    {
        if (_grid is not null) await _grid.ReloadServerData();
    }

    private async Task CreateAsync()
    {
        _errors.Clear();
        _oneTime = null;
        try
        {
            var (user, password) = await Users.CreateLocalAsync(_name.Trim(), _display, _email, [_role], Aborted);
            _oneTime = (user.Name, password);
            (_name, _display, _email) = ("", "", "");
            await ReloadAsync();
        }
        catch (PortalException e) { _errors.Set(e); }
    }

    private Task SetRoleAsync(PortalUser u, string role) => ChangeAsync(u, [role], u.Disabled, $"{u.Name} is a {role} now.");

    private Task SetEnabledAsync(PortalUser u, bool enabled) => ChangeAsync(u, u.Roles, !enabled, $"{u.Name} is {(enabled ? "enabled" : "disabled")}.");

    private async Task ChangeAsync(PortalUser u, IReadOnlyList<string> roles, bool disabled, string done)
    {
        try
        {
            await Users.UpdateAsync(u.Name, roles, disabled, u.DisplayName, u.Email, Aborted);
            Notifications.Notify(Severity.Success, "Saved", done + " Their sessions end now: they sign in again with the change.");
        }
        catch (PortalException e) { Notifications.Notify(Severity.Error, "Not changed", e.Message, TimeSpan.FromSeconds(10)); }
        await ReloadAsync();
    }

    private async Task ResetAsync(PortalUser u)
    {
        if (await Dialogs.ConfirmAsync($"Give {u.Name} a new one-time password? The current one stops working.", "Reset password",
                "Reset", "Cancel") != true) return;
        try { _oneTime = (u.Name, await Users.ResetPasswordAsync(u.Name, Aborted)); }
        catch (PortalException e) { Notifications.Notify(Severity.Error, "Not reset", e.Message); }
    }

    private async Task DeleteAsync(PortalUser u)
    {
        if (await Dialogs.ConfirmAndDeleteAsync(Notifications, $"the user '{u.Name}'",
                () => Task.FromResult<IEnumerable<string>>(["their access tokens"]), () => Users.DeleteAsync(u.Name, Aborted)))
            await ReloadAsync();
    }
}
