using Portal.Core.Services;

namespace Portal.Web.Hosting;

/// <summary>Runs the training supervisor for the life of the portal, reconciling with the container manager at start.</summary>
public sealed class TrainingSupervisorService(TrainingSupervisor supervisor, ILogger<TrainingSupervisorService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        supervisor.Start(stoppingToken);
        try { await supervisor.ReconcileAsync(stoppingToken); }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Reconciling trainings with the container manager failed; running trainings are not followed until the next start");
        }
    }
}
