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

/// <summary>The logic of <c>CredentialsPage.razor</c>.</summary>
public sealed partial class CredentialsPage
{

    private readonly FormErrors _errors = new FormErrors().Fields(["name", "kind", "secret", "username", "region", "key_id"]);
    private MudDataGrid<Credential>? _grid;
    private string? _editing;
    private string _name = "", _uri = "", _desc = "", _secret = "";
    private CredentialKind _kind = CredentialKind.Git;
    private Dictionary<string, string> _details = [];

    /// <summary>The non-secret fields of the chosen kind: the required ones, and a user name where a login has one.</summary>
    private IEnumerable<string> DetailFields => CredentialVault.RequiredDetails[_kind].Concat(_kind is CredentialKind.Git ? ["username"] : []).Distinct();

    private async Task<GridData<Credential>> LoadAsync(GridState<Credential> state, CancellationToken ct) =>
        (await Vault.ListAsync(await CurrentUser.ActorAsync(), new PageRequest(state.Page * state.PageSize, state.PageSize), ct)).ToGridData();

    private void Edit(Credential c)
    {
        _errors.Clear();
        (_editing, _name, _kind, _uri, _desc, _secret) = (c.Name, c.Name, c.Kind, c.Uri ?? "", c.Desc ?? "", "");
        _details = c.Details.ToDictionary(d => d.Key, d => CredentialVault.Detail(c, d.Key) ?? "");
    }

    private void Reset()
    {
        _errors.Clear();
        (_editing, _name, _uri, _desc, _secret) = (null, "", "", "", "");
        _details = [];
    }

    private async Task SaveAsync()
    {
        _errors.Clear();
        var input = new CredentialInput(_name.Trim(), _kind, _uri, _desc, DetailFields.ToDictionary(f => f, f => _details.GetValueOrDefault(f) ?? ""), _secret.Length == 0 ? null : _secret);
        try
        {
            var actor = await CurrentUser.ActorAsync();
            if (_editing is null) await Vault.CreateAsync(actor, input, Aborted);
            else await Vault.UpdateAsync(actor, _editing, input, Aborted);
            Notifications.Notify(Severity.Success, "Saved", $"The credential '{_name}' is stored; its secret is encrypted.");
            Reset();
            if (_grid is not null) await _grid.ReloadServerData();
        }
        catch (PortalException e) { _errors.Set(e); }
        finally { _secret = ""; }
    }

    private async Task DeleteAsync(Credential c)
    {
        var actor = await CurrentUser.ActorAsync();
        if (await Dialogs.ConfirmAndDeleteAsync(Notifications, $"the credential '{c.Name}'",
                () => Task.FromResult<IEnumerable<string>>(["its encrypted secret (builds using it will fail until you pick another)"]),
                () => Vault.DeleteAsync(actor, c.Name, Aborted)) && _grid is not null)
            await _grid.ReloadServerData();
    }
}
