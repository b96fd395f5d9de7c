using MudBlazor;
using Portal.Core.Services;
using Portal.Web.Components.Shared;

namespace Portal.Web.Features.Projects;

public static class ProjectDeletion
{
    public static Task<bool> ConfirmAndDeleteAsync(this IDialogService dialogs, ISnackbar notifications, ProjectService projects, string name, CancellationToken ct) =>
        dialogs.ConfirmAndDeleteAsync(notifications, $"project '{name}'",
            async () =>
            {
                var impact = await projects.GetDeletionImpactAsync(name, ct);
                return [
                    Confirmations.Count(impact.BuildVersions, "build version", "build versions"),
                    Confirmations.Count(impact.Trainings, "training", "trainings"),
                    Confirmations.Count(impact.Deployments, "deployment", "deployments")];
            },
            () => projects.DeleteAsync(name, ct));
}
