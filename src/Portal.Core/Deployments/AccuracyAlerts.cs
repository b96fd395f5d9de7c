using System.Text.Json;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Notifications;
using Portal.Core.Security;
using Portal.Core.Trainings;

namespace Portal.Core.Deployments;

/// <summary>
/// Checks a deployment's live score against its threshold: on a crossing (accuracy below it, RMSE above it, over the
/// alert's window with enough labelled requests) it records the alert on the deployment, audits it, publishes it for
/// webhooks and, when configured, launches the retraining. At most one alert per window.
/// </summary>
public sealed class AccuracyAlerts(LiveAccuracy accuracy, DeploymentService deployments, TrainingService trainings, AuditLog audit,
    PortalEvents events, TimeProvider clock)
{
    /// <summary>Who the audit log names for a retraining the portal launched, with no more rights than a data scientist.</summary>
    public static readonly Actor Retrainer = new("portal (accuracy alert)", [Roles.DataScientist], null);

    public async Task<JsonElement?> CheckAsync(string name, CancellationToken ct)
    {
        var deployment = await deployments.GetAsync(name, ct);
        if (deployment.Alert is not { } alert || deployment.ModelVersion?.Model?.Kind is not { } kind) return null;
        var window = TimeSpan.FromMinutes(alert.WindowMinutes);
        var score = (await accuracy.ReportAsync(deployment, window, window, ct)).Overall;
        if (score.Labelled < alert.MinLabelled || score.Headline(kind) is not { } figure) return null;
        var breached = kind == ModelKind.Classification ? figure < alert.Threshold : figure > alert.Threshold;
        var now = clock.GetUtcNow().UtcDateTime;
        if (!breached || LastAt(deployment) is { } last && now - last < window) return null;

        var measure = kind == ModelKind.Classification ? "accuracy" : "RMSE";
        string? training = null, problem = null;
        if (alert.RetrainNotebook is { } notebook && deployment.Project is { } project)
        {
            try
            {
                // The portal launches it, not a user; it gets a data scientist's rights, never an admin's (a null actor
                // would pass every host folder check).
                using (ActorContext.Use(Retrainer))
                    training = (await trainings.LaunchAsync(new TrainingInput
                    {
                        Project = project.Name, Notebook = notebook, Datasets = alert.RetrainDatasets ?? [],
                    }, ct)).Name;
            }
            catch (PortalException e) { problem = e.Message; }
        }
        var record = JsonSerializer.SerializeToElement(new
        {
            at = now, measure, value = figure, threshold = alert.Threshold, labelled = score.Labelled, window_minutes = alert.WindowMinutes,
            version = deployment.ModelVersionName, retraining = training, retraining_problem = problem,
        });
        await deployments.RecordAlertAsync(deployment.Id, record, ct);
        await audit.RecordAsync("accuracy alert", $"deployment {deployment.Name}", AuditOutcome.Failed,
            $"{measure} {figure:0.###} over {score.Labelled} labelled requests in {alert.WindowMinutes} min crossed {alert.Threshold:0.###}"
            + (training is not null ? $"; retraining {deployment.Project?.Name}/{training} launched" : problem is not null ? $"; retraining not launched: {problem}" : ""),
            ct, new Actor("portal", [], null));
        events.Publish(PortalEvent.AccuracyAlert, $"deployment {deployment.Name}", record);
        return record;
    }

    private static DateTime? LastAt(Deployment d) =>
        d.Details.TryGetValue(DeploymentService.AlertDetail, out var last) && last.TryGetProperty("at", out var at) && at.TryGetDateTime(out var t)
            ? DateTime.SpecifyKind(t, DateTimeKind.Utc) : null;
}
