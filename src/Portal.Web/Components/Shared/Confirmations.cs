using MudBlazor;
using Portal.Core.Errors;

namespace Portal.Web.Components.Shared;

/// <summary>Asks before anything is destroyed or replaced, saying exactly what goes with it, then reports the outcome.</summary>
public static class Confirmations
{
    /// <summary>A yes/no question in a dialog (Escape or a click outside says no); true when the user said <paramref name="yes"/>.</summary>
    public static async Task<bool> ConfirmAsync(this IDialogService dialogs, string message, string title, string yes, string no = "Cancel") =>
        await dialogs.ShowMessageBoxAsync(title, message, yesText: yes, cancelText: no,
            options: new DialogOptions { CloseOnEscapeKey = true, BackdropClick = true, MaxWidth = MaxWidth.Small, FullWidth = true }) == true;

    /// <summary>Shows what the deletion would also remove, deletes on confirmation; returns true when deleted.</summary>
    public static async Task<bool> ConfirmAndDeleteAsync(this IDialogService dialogs, ISnackbar notifications, string what,
        Func<Task<IEnumerable<string>>> consequences, Func<Task> delete)
    {
        try
        {
            var lines = (await consequences()).Where(c => !string.IsNullOrEmpty(c)).ToList();
            var message = lines.Count == 0
                ? $"Delete {what}? This cannot be undone."
                : $"Delete {what}? This also removes {string.Join("; ", lines)}. This cannot be undone.";
            if (!await dialogs.ConfirmAsync(message, $"Delete {what}", "Delete")) return false;
            await delete();
            notifications.Notify(Severity.Success, "Deleted", $"{char.ToUpperInvariant(what[0])}{what[1..]} is gone.");
            return true;
        }
        catch (PortalException e)
        {
            notifications.Notify(Severity.Error, "Could not delete", e.Message, TimeSpan.FromSeconds(10));
            return false;
        }
    }

    /// <summary>A message at the bottom of the page (never over the page's buttons): a summary and what happened.</summary>
    public static void Notify(this ISnackbar snackbar, Severity severity, string summary, string? detail = null, TimeSpan? duration = null) =>
        snackbar.Add(detail is null ? summary : $"{summary}: {detail}", severity, o =>
        {
            o.VisibleStateDuration = (int)(duration ?? TimeSpan.FromSeconds(severity == Severity.Error ? 10 : 4)).TotalMilliseconds;
            o.ShowCloseIcon = true;
        });

    public static string Count(int n, string singular, string plural) => n == 0 ? "" : $"{n} {(n == 1 ? singular : plural)}";
}
