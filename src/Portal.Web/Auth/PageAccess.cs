using Portal.Web.Components.Shared;
using MudBlazor;
using Portal.Core.Errors;
using Portal.Core.Security;

namespace Portal.Web.Auth;

/// <summary>
/// The server-side check behind a page's buttons: hiding a button is for the eye, this is the protection. A refused
/// action is audited and the user told which role it needs; nothing else happens.
/// </summary>
public sealed class PageAccess(AuditLog audit, ISnackbar notifications)
{
    public Task<bool> AllowWorkAsync(string action, string? target) => AllowAsync(Roles.DataScientist, action, target);

    public async Task<bool> AllowAsync(string role, string action, string? target)
    {
        try
        {
            await audit.DemandAsync(role, action, target, CancellationToken.None);
            return true;
        }
        catch (AccessDeniedException e)
        {
            notifications.Notify(Severity.Error, "Not allowed", e.Message, TimeSpan.FromSeconds(10));
            return false;
        }
    }
}
