using Portal.Core.Errors;
using Radzen;

namespace Portal.Web.Components.Shared;

/// <summary>Asks before anything is destroyed, saying exactly what goes with it, then reports the outcome.</summary>
public static class Confirmations
{
    /// <summary>Shows what the deletion would also remove, deletes on confirmation; returns true when deleted.</summary>
    public static async Task<bool> ConfirmAndDeleteAsync(this DialogService dialogs, NotificationService notifications, string what,
        Func<Task<IEnumerable<string>>> consequences, Func<Task> delete)
    {
        try
        {
            var lines = (await consequences()).Where(c => !string.IsNullOrEmpty(c)).ToList();
            var message = lines.Count == 0
                ? $"Delete {what}? This cannot be undone."
                : $"Delete {what}? This also removes {string.Join("; ", lines)}. This cannot be undone.";
            var options = new ConfirmOptions { OkButtonText = "Delete", CancelButtonText = "Cancel", CloseDialogOnEsc = true };
            if (await dialogs.Confirm(message, $"Delete {what}", options) != true) return false;
            await delete();
            notifications.Notify(NotificationSeverity.Success, "Deleted", $"{char.ToUpperInvariant(what[0])}{what[1..]} is gone.");
            return true;
        }
        catch (PortalException e)
        {
            notifications.Notify(NotificationSeverity.Error, "Could not delete", e.Message, TimeSpan.FromSeconds(10));
            return false;
        }
    }

    public static string Count(int n, string singular, string plural) => n == 0 ? "" : $"{n} {(n == 1 ? singular : plural)}";
}
