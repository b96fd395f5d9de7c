using Portal.Core.Builds;
using Portal.Core.Configuration;
using Portal.Core.Packages;
using Portal.Core.Reconciliation;
using Portal.Core.Sweeps;
using Portal.Core.Trainings;

namespace Portal.Web.Hosting;

/// <summary>
/// Gives the training and sweep supervisors, the project builder and the packager the portal's lifetime, re-attaches to the trainings
/// that were running at start, and then reconciles the engine with the store every <c>container_manager.reconcile_seconds</c> (every
/// few seconds while the engine cannot be reached, so its return is noticed at once), advancing the running sweeps at each round.
/// </summary>
public sealed class BackgroundWorkService(
    TrainingSupervisor supervisor, SweepSupervisor sweeps, ProjectBuilder builder, PackageService packages, WorkloadReconciler reconciler, PortalConfig config,
    TimeProvider clock, ILogger<BackgroundWorkService> logger) : BackgroundService
{
    private static readonly TimeSpan WhileUnreachable = TimeSpan.FromSeconds(3);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        supervisor.Start(stoppingToken);
        sweeps.Start(stoppingToken);
        builder.Start(stoppingToken);
        try { await packages.StartAsync(stoppingToken); }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Failing the packages the last portal left running did not work; they stay listed as running");
        }
        try { await supervisor.ReconcileAsync(stoppingToken); }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Re-attaching to the running trainings failed; the reconciler picks them up when the engine answers");
        }
        var every = TimeSpan.FromSeconds(config.ContainerManager.ReconcileSeconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            var reached = false;
            try { reached = await reconciler.RunOnceAsync(stoppingToken); }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { return; }
            catch (Exception e) { logger.LogError(e, "Reconciling the engine with the store failed; trying again at the next round"); }
            // A sweep whose trial ended while the portal was down, or that waited for the engine, goes on here.
            if (reached)
            {
                try { await sweeps.AdvanceAllAsync(stoppingToken); }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { return; }
            }
            try { await Task.Delay(reached || WhileUnreachable > every ? every : WhileUnreachable, clock, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }
}
