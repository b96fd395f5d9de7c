using MudBlazor;
using Portal.Core.Services;
using Portal.Web.Components.Shared;

namespace Portal.Web.Features.Models;

public static class ModelDeletion
{
    /// <summary>As <c>nha model rm</c>: the model goes with its datasets and versions, after the user has seen how many.</summary>
    public static Task<bool> ConfirmAndDeleteAsync(this IDialogService dialogs, ISnackbar notifications, ModelService models, string name, CancellationToken ct) =>
        dialogs.ConfirmAndDeleteAsync(notifications, $"model '{name}'",
            async () =>
            {
                var usage = await models.GetDeletionImpactAsync(name, ct);
                return [
                    Confirmations.Count(usage.DatasetIds.Count, "dataset", "datasets"),
                    Confirmations.Count(usage.VersionIds.Count, "model version", "model versions"),
                    usage.Projects.Count == 0 ? "" : $"its place in projects {string.Join(", ", usage.Projects)}"];
            },
            () => models.DeleteAsync(name, ct));
}
