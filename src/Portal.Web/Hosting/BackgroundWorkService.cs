using Portal.Core.Trainings;
using Portal.Core.Builds;
using Portal.Core.Services;

namespace Portal.Web.Hosting;

/// <summary>
/// Gives the training supervisor and the project builder the portal's lifetime, and reconciles trainings with the
/// container manager at start.
/// </summary>
public sealed class BackgroundWorkService(TrainingSupervisor supervisor, ProjectBuilder builder, ILogger<BackgroundWorkService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        supervisor.Start(stoppingToken);
        builder.Start(stoppingToken);
        try { await supervisor.ReconcileAsync(stoppingToken); }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Reconciling trainings with the container manager failed; running trainings are not followed until the next start");
        }
    }
}
