using System.Globalization;
using Microsoft.Extensions.Logging;
using Portal.Core.Configuration;
using Portal.Core.Containers;
using Portal.Core.Entities;
using Portal.Core.Security;
using Portal.Core.Stores;
using Portal.Core.Trainings;

namespace Portal.Core.Reconciliation;

/// <summary>
/// Compares what the engine runs under this portal's labels with what the portal knows, like a Kubernetes controller
/// after any fault: a workload of a training the portal lost or gave up is handed to the <see cref="TrainingSupervisor"/>
/// (which owns the row), and a workload of no run, of an ended run, or not the one its run names is an orphan, removed
/// once it has been one for <c>container_manager.orphan_grace_seconds</c> (a run being started is not yet in the store).
/// Each action is logged and audited. Dead replicas are the engine's to replace (Swarm, Kubernetes, restart policies); a
/// deployment whose replica count was changed on the engine behind the portal's back is scaled back to its own.
/// </summary>
public sealed class WorkloadReconciler(
    IContainerManager manager, IServiceControl services, TrainingSupervisor supervisor, ITrainingStore trainings,
    IDeploymentStore deployments, IIdeSessionStore ideSessions, InstallationId installation, PortalConfig config, AuditLog audit,
    TimeProvider clock, ILogger<WorkloadReconciler> logger)
{
    private readonly Dictionary<string, DateTime> _orphanSince = [];
    /// <summary>Replica counts seen differing from the deployment's at the last pass (acted on when seen twice).</summary>
    private readonly Dictionary<string, int> _drift = [];

    private TimeSpan Grace => TimeSpan.FromSeconds(config.ContainerManager.OrphanGraceSeconds);

    /// <summary>One pass; false when the engine could not be asked (the caller asks again sooner).</summary>
    public async Task<bool> RunOnceAsync(CancellationToken ct)
    {
        IReadOnlyList<WorkloadInfo> owned;
        try { owned = await manager.ListOwnedAsync(ct); }
        catch (EngineUnreachableException e)
        {
            logger.LogInformation("Reconciliation waits for the engine: {Reason}", e.Message);
            return false;
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var orphans = new HashSet<string>();
        // IDE sessions are read once per pass (the store finds them by user and name, the labels give the id).
        var ides = new Lazy<Task<IReadOnlyList<IdeSession>>>(() => ideSessions.ListAsync(null, ct));
        foreach (var workload in owned.Where(w => w.Labels.GetValueOrDefault(PortalLabels.Installation) == installation.Value))
        {
            if (await OrphanReasonAsync(workload, ides, ct) is not { } reason) continue;
            orphans.Add(workload.Id);
            var since = _orphanSince.TryGetValue(workload.Id, out var first) ? first : _orphanSince[workload.Id] = now;
            if (now - since < Grace) continue;
            await RemoveAsync(workload, reason, ct);
        }
        foreach (var gone in _orphanSince.Keys.Except(orphans).ToList()) _orphanSince.Remove(gone);
        return true;
    }

    private async Task RemoveAsync(WorkloadInfo workload, string reason, CancellationToken ct)
    {
        try { await manager.RemoveAsync(workload.Id, ct); }
        catch (ContainerManagerException e)
        {
            logger.LogWarning("Could not remove the orphaned workload {Workload} ({Name}): {Message}", workload.Id, workload.Name, e.Message);
            return;
        }
        _orphanSince.Remove(workload.Id);
        logger.LogWarning("Removed the orphaned workload {Workload} ({Name}): {Reason}", workload.Id, workload.Name, reason);
        await audit.RecordAsync(
            "workload.remove-orphan", workload.Name, AuditOutcome.Succeeded, $"{workload.Id}: {reason}", ct, TrainingSupervisor.Reconciler);
    }

    /// <summary>Why the workload belongs to nothing, or null when it belongs (or was just handed to its owner).</summary>
    private async Task<string?> OrphanReasonAsync(WorkloadInfo workload, Lazy<Task<IReadOnlyList<IdeSession>>> ides, CancellationToken ct)
    {
        var kind = workload.Labels.GetValueOrDefault(PortalLabels.Kind);
        if (!long.TryParse(workload.Labels.GetValueOrDefault(PortalLabels.RecordId), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            return $"its {PortalLabels.RecordId} label is not a record id";
        return kind switch
        {
            "training" => await TrainingReasonAsync(workload, id, ct),
            "deployment" => await DeploymentReasonAsync(workload, id, ct),
            "ide" => IdeReason(workload, (await ides.Value).FirstOrDefault(s => s.Id == id), id),
            _ => $"the portal runs no workloads of kind '{kind}'",
        };
    }

    private async Task<string?> TrainingReasonAsync(WorkloadInfo workload, long id, CancellationToken ct)
    {
        var training = await trainings.GetAsync(id, ct);
        if (training is null) return $"training {id} does not exist";
        if (training.WorkloadId is null && training.Task.State is TaskState.Waiting or TaskState.Running) return null; // being started
        if (training.WorkloadId != workload.Id) return $"training {training.Name} runs as {training.WorkloadId ?? "nothing"}, not as this workload";
        if (supervisor.IsFollowing(training.Id) || await supervisor.AdoptAsync(training, workload.Id, ct)) return null;
        return $"training {training.Name} ended {training.Task.State.ToString().ToUpperInvariant()}";
    }

    private async Task<string?> DeploymentReasonAsync(WorkloadInfo workload, long id, CancellationToken ct)
    {
        var name = workload.Labels.GetValueOrDefault(PortalLabels.RecordName) ?? "";
        var deployment = await deployments.FindAsync(name, ct);
        if (deployment is null || deployment.Id != id) return $"deployment {name} does not exist";
        if (deployment.WorkloadId is null && deployment.Task.State == TaskState.Waiting) return null; // being started
        if (deployment.WorkloadId != workload.Id) return $"deployment {name} runs as {deployment.WorkloadId ?? "nothing"}, not as this workload";
        await RestoreReplicasAsync(deployment, workload, ct);
        return null;
    }

    /// <summary>
    /// The deployment's replica count is the portal's to decide: a count changed on the engine behind its back (a manual
    /// scale) is set back. Not where a profile lets the engine scale it (an autoscaler owns the count there).
    /// </summary>
    private async Task RestoreReplicasAsync(Deployment deployment, WorkloadInfo workload, CancellationToken ct)
    {
        var seen = workload.Status.DesiredReplicas;
        // A deployment asleep (scaled to zero for idleness) runs none until a request wakes it.
        var wanted = deployment.Sleeping ? 0 : deployment.Replicas;
        if (!manager.Capabilities.Replicas || seen == wanted)
        {
            _drift.Remove(workload.Id);
            return;
        }
        if (deployment.ResourceProfile is { } profile && config.ContainerManager.ResourceProfiles.GetValueOrDefault(profile)?.AutoScale == true) return;
        // The portal scales the engine before it records the new count: only a difference that lasts a whole pass is drift.
        if (!_drift.TryGetValue(workload.Id, out var before) || before != seen)
        {
            _drift[workload.Id] = seen;
            return;
        }
        _drift.Remove(workload.Id);
        try { await services.ScaleAsync(workload.Id, wanted, ct); }
        catch (ContainerManagerException e)
        {
            logger.LogWarning("Could not set deployment {Deployment} back to {Replicas} replicas: {Message}", deployment.Name, wanted, e.Message);
            return;
        }
        var detail = $"The engine ran {seen} replicas of {deployment.Name}; set back to {wanted}.";
        logger.LogWarning("{Detail}", detail);
        await audit.RecordAsync("deployment.restore-replicas", deployment.Name, AuditOutcome.Succeeded, detail, ct, TrainingSupervisor.Reconciler);
    }

    private static string? IdeReason(WorkloadInfo workload, IdeSession? session, long id)
    {
        if (session is null) return $"IDE session {id} does not exist";
        if (session.WorkloadId is null && session.Task.State == TaskState.Waiting) return null; // being started
        if (session.WorkloadId != workload.Id) return $"IDE session {session.Name} runs as {session.WorkloadId ?? "nothing"}, not as this workload";
        return session.Task.State is TaskState.Waiting or TaskState.Running ? null : $"IDE session {session.Name} ended";
    }
}
