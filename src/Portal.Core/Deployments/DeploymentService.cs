using System.Text.Json;
using Portal.Core.Containers;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Notifications;
using Portal.Core.Security;
using Portal.Core.Stores;

namespace Portal.Core.Deployments;

/// <summary>
/// Deployments: a model version served by replicas of the toolkit's prediction server (a replicated service, or a
/// local process). A deployment serves one environment and only versions promoted there. This service is the one
/// writer of a deployment's row and publishes each change on the <see cref="ChangeFeed{T}"/>.
/// </summary>
public sealed class DeploymentService(
    IDeploymentStore deployments, DeploymentValidator validator, DeploymentSpecFactory specs, IContainerManager manager, IServiceControl services,
    ChangeFeed<Deployment> feed, Routes.RouteService routes, AuditLog audit, PortalEvents events, TimeProvider clock)
{
    public const int MaxReplicas = DeploymentValidator.MaxReplicas;

    /// <summary>The most replicas a deployment may ask for here: one where the manager runs a single process or container per service.</summary>
    public int ReplicasHere => manager.Capabilities.Replicas ? MaxReplicas : 1;

    /// <summary>Why <see cref="ReplicasHere"/> is one, for the forms; null when the manager runs replicas.</summary>
    public string? OneReplicaReason => manager.Capabilities.Replicas ? null
        : $"The {manager.Capabilities.Kind} container manager runs one replica per deployment; swarm or kube run more.";

    public Task<Page<Deployment>> ListAsync(PageRequest request, CancellationToken ct) => deployments.ListAsync(request, ct);

    public async Task<Deployment> GetAsync(string name, CancellationToken ct) =>
        await deployments.FindAsync(name, ct) ?? throw new NotFoundException("deployment", name);

    public Task<IReadOnlyList<Replica>> ReplicasAsync(Deployment deployment, CancellationToken ct) =>
        deployment.WorkloadId is null ? Task.FromResult<IReadOnlyList<Replica>>([]) : services.ListReplicasAsync(deployment.WorkloadId, ct);

    /// <summary>The live output of the deployment's replicas, straight from the manager, until the caller stops reading.</summary>
    public IAsyncEnumerable<LogLine> FollowLogAsync(Deployment deployment, CancellationToken ct) => ReadLogAsync(deployment, follow: true, ct);

    /// <summary>The output of the deployment's replicas so far, or (<paramref name="follow"/>) as it comes.</summary>
    public IAsyncEnumerable<LogLine> ReadLogAsync(Deployment deployment, bool follow, CancellationToken ct) =>
        deployment.WorkloadId is null ? AsyncEnumerable.Empty<LogLine>() : manager.ReadLogsAsync(deployment.WorkloadId, follow, ct);

    /// <summary>The deployment's workload status now and at each change, until it stops (scaled to zero, or removed).</summary>
    public IAsyncEnumerable<WorkloadStatus> WatchAsync(Deployment deployment, CancellationToken ct) =>
        deployment.WorkloadId is null ? AsyncEnumerable.Empty<WorkloadStatus>() : manager.WatchAsync(deployment.WorkloadId, ct);

    public async Task<Deployment> CreateAsync(DeploymentInput input, CancellationToken ct)
    {
        var plan = await validator.CheckAsync(input, ct);
        var health = await manager.CheckAsync(ct);
        if (!health.Ready) throw new ConflictException($"{health.Summary} {string.Join(" ", health.Problems)}");

        var now = clock.GetUtcNow().UtcDateTime;
        var actor = ActorContext.Current;
        var target = $"deployment {plan.Name}";
        Deployment deployment;
        // The row is the portal's own until its workload runs: a start the engine refuses leaves one audit row that says
        // so, not a "create" that succeeded followed by a "delete".
        using (ActorContext.Use(null))
        {
            deployment = await deployments.AddAsync(new Deployment
            {
                Name = plan.Name, ProjectId = plan.Project.Id, Project = plan.Project, ModelVersionId = plan.Version.Id, ModelVersion = plan.Version,
                ModelVersionName = $"{plan.Version.Model!.Name}/{plan.Version.Name}", BuildVersionId = plan.Build?.Id, BuildVersion = plan.Build,
                PackageId = plan.Package?.Id, Package = plan.Package, Notebook = plan.Entry, Replicas = input.Replicas, IdleMinutes = input.IdleMinutes, Environment = plan.Environment, Port = input.Port, Env = input.Env.ToDictionary(),
                ResourceProfile = plan.ProfileName, Manager = manager.Capabilities.Kind, Details = Details(input.Health, plan.CodeDir),
                Task = new TaskInfo { State = TaskState.Waiting, UpdateTime = now }, CreatedAt = now,
            }, ct);
        }
        WorkloadSpec? spec = null;
        try
        {
            spec = await specs.BuildAsync(deployment, plan.Project, plan.Version, ct);
            var id = await manager.StartAsync(spec, ct);
            Deployment started;
            using (ActorContext.Use(null))
            {
                started = await MutateAsync(deployment.Id, d =>
                {
                    d.WorkloadId = id;
                    d.Task = new TaskInfo { State = TaskState.Running, StartTime = clock.GetUtcNow().UtcDateTime, UpdateTime = clock.GetUtcNow().UtcDateTime };
                }, ct);
            }
            await audit.RecordAsync("create deployment", target, AuditOutcome.Succeeded,
                $"{input.Replicas} replica(s) of {started.ModelVersionName} on {manager.Capabilities.Kind}", ct, actor);
            Changed(started, "created");
            return started;
        }
        catch (Exception e) when (e is PortalException or IOException)
        {
            using (ActorContext.Use(null)) await deployments.DeleteAsync(deployment.Id, CancellationToken.None);
            // Engines name the workload (depl-7); the user knows the deployment.
            var reason = spec is null ? e.Message : e.Message.Replace($"'{spec.Name}'", $"'{plan.Name}'", StringComparison.Ordinal).Replace(spec.Name, plan.Name, StringComparison.Ordinal);
            await audit.RecordAsync("create deployment", target, AuditOutcome.Failed, reason, CancellationToken.None, actor);
            if (e is ContainerManagerException and not EngineUnreachableException)
                throw new ContainerManagerException($"The deployment '{plan.Name}' could not start: {reason}", e);
            throw;
        }
    }

    public async Task<Deployment> ScaleAsync(string name, int replicas, CancellationToken ct)
    {
        var deployment = await GetAsync(name, ct);
        // Zero stops serving and keeps the deployment, to start again by scaling up.
        if (replicas is < 0 or > MaxReplicas) throw new ValidationFailedException("replicas", $"Replicas must be between 0 (stopped) and {MaxReplicas}, not {replicas}.");
        if (replicas > 1 && !manager.Capabilities.Replicas)
            throw new ValidationFailedException("replicas",
                $"The {manager.Capabilities.Kind} manager runs one replica per deployment: '{name}' can run 1, or 0 to stop it. Use swarm or kube for more.");
        if (deployment.WorkloadId is null) throw new ConflictException($"The deployment '{name}' is not running.");
        await services.ScaleAsync(deployment.WorkloadId, replicas, ct);
        // An explicit scale wakes a sleeping deployment (or, at zero, stops it for good: nothing wakes a stopped one).
        var scaled = await MutateAsync(deployment.Id, d => (d.Replicas, d.Sleeping) = (replicas, false), ct);
        Changed(scaled, "scaled");
        return scaled;
    }

    public async Task DeleteAsync(string name, CancellationToken ct)
    {
        var deployment = await GetAsync(name, ct);
        // A route's callers would get 404s: the route changes first, by someone who knows where its traffic should go.
        if (await routes.RoutesToAsync(name, ct) is [_, ..] routing)
            throw new ConflictException($"The route(s) {string.Join(", ", routing.Select(r => $"'{r.Name}'"))} send requests to '{name}'; " +
                "take it out of them (or remove them) first.");
        if (deployment.WorkloadId is not null) await manager.RemoveAsync(deployment.WorkloadId, ct);
        await deployments.DeleteAsync(deployment.Id, ct);
        var dir = specs.WorkDir(deployment.Id);
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        Changed(deployment, "removed");
    }

    /// <summary>Serves another version (promoted to the deployment's environment) with a rolling update.</summary>
    public async Task<Deployment> SwitchVersionAsync(string name, string modelVersion, CancellationToken ct)
    {
        var deployment = await GetAsync(name, ct);
        var version = await validator.CheckSwitchAsync(deployment, modelVersion, ct);
        if (deployment.WorkloadId is null) throw new ConflictException($"The deployment '{name}' is not running.");
        var project = deployment.Project ?? throw new ConflictException($"The deployment '{name}' has lost its project.");
        var id = await services.UpdateAsync(deployment.WorkloadId, await specs.BuildAsync(deployment, project, version, ct), ct);
        var switched = await MutateAsync(deployment.Id, d =>
        {
            d.WorkloadId = id;
            d.ModelVersionId = version.Id;
            d.ModelVersionName = $"{version.Model!.Name}/{version.Name}";
        }, ct);
        Changed(switched, "version switched");
        return switched;
    }

    /// <summary>Turns scale to zero on (sleep after <paramref name="idleMinutes"/> without a request) or, with null, off (waking it).</summary>
    public async Task<Deployment> SetIdleAsync(string name, double? idleMinutes, CancellationToken ct)
    {
        if (DeploymentValidator.IdleProblem(idleMinutes) is { } problem) throw new ValidationFailedException("idle_minutes", problem);
        var deployment = await GetAsync(name, ct);
        if (idleMinutes is null && deployment.Sleeping) deployment = await WakeAsync(name, ct);
        return await MutateAsync(deployment.Id, d => d.IdleMinutes = idleMinutes, ct);
    }

    /// <summary>Deployments that may sleep: scale to zero on, awake, with replicas.</summary>
    public Task<IReadOnlyList<Deployment>> SleepCandidatesAsync(CancellationToken ct) => deployments.SleepCandidatesAsync(ct);

    /// <summary>Stops an idle deployment's replicas, keeping their count for the wake-up.</summary>
    public async Task<Deployment> SleepAsync(Deployment deployment, CancellationToken ct)
    {
        if (deployment.WorkloadId is null || deployment.Sleeping || deployment.IdleMinutes is null) return deployment;
        await services.ScaleAsync(deployment.WorkloadId, 0, ct);
        var asleep = await MutateAsync(deployment.Id, d => d.Sleeping = true, ct);
        Changed(asleep, "asleep after idling");
        return asleep;
    }

    /// <summary>Starts a sleeping deployment's replicas again (a request came); the caller waits for them to answer.</summary>
    public async Task<Deployment> WakeAsync(string name, CancellationToken ct)
    {
        var deployment = await GetAsync(name, ct);
        if (!deployment.Sleeping || deployment.WorkloadId is null) return deployment;
        await services.ScaleAsync(deployment.WorkloadId, deployment.Replicas, ct);
        var awake = await MutateAsync(deployment.Id, d => d.Sleeping = false, ct);
        Changed(awake, "woken by a request");
        return awake;
    }

    public Task<Deployment> RecordColdStartAsync(long id, double milliseconds, CancellationToken ct) =>
        MutateAsync(id, d => d.ColdStartMs = milliseconds, ct);

    /// <summary>Sets (or, with null, clears) the live-accuracy threshold whose crossing raises an alert.</summary>
    public async Task<Deployment> SetAlertAsync(string name, AccuracyAlert? alert, CancellationToken ct)
    {
        var deployment = await GetAsync(name, ct);
        if (alert is not null)
        {
            var errors = new ValidationErrors();
            var kind = deployment.ModelVersion?.Model?.Kind;
            if (kind is null)
                errors.Add("threshold", $"The model '{deployment.ModelVersion?.Model?.Name}' has no kind; set it to classification or regression first, so feedback can be scored.");
            else if (kind == ModelKind.Classification && alert.Threshold is <= 0 or > 1)
                errors.Add("threshold", $"For a classifier the threshold is the lowest acceptable accuracy, between 0 and 1, not {alert.Threshold}.");
            else if (kind == ModelKind.Regression && !(alert.Threshold > 0))
                errors.Add("threshold", $"For a regressor the threshold is the highest acceptable RMSE, above 0, not {alert.Threshold}.");
            if (alert.WindowMinutes is < 1 or > 7 * 24 * 60) errors.Add("window_minutes", $"The window is 1 minute to 7 days, not {alert.WindowMinutes} minutes.");
            if (alert.MinLabelled is < 1 or > LiveAccuracy.MaxLabelled)
                errors.Add("min_labelled", $"At least 1 and at most {LiveAccuracy.MaxLabelled} labelled requests, not {alert.MinLabelled}.");
            if (alert.RetrainNotebook is { } notebook && (notebook.Trim().Length == 0 || notebook.Contains("..", StringComparison.Ordinal) || notebook.StartsWith('/')))
                errors.Add("retrain_notebook", $"'{notebook}' is not a notebook path inside the project, e.g. train.ipynb.");
            errors.ThrowIfAny();
        }
        return await MutateAsync(deployment.Id, d => d.Alert = alert, ct);
    }

    /// <summary>Remembers the last accuracy alert (shown on the deployment's page; one per window).</summary>
    public Task<Deployment> RecordAlertAsync(long id, JsonElement alert, CancellationToken ct) =>
        MutateAsync(id, d => d.Details = new Dictionary<string, JsonElement>(d.Details) { [AlertDetail] = alert }, ct);

    /// <summary>The key of <see cref="Deployment.Details"/> holding the last accuracy alert.</summary>
    public const string AlertDetail = "accuracy_alert";

    private void Changed(Deployment d, string change) => events.Publish(PortalEvent.DeploymentChanged, $"deployment {d.Name}",
        new { deployment = d.Name, change, replicas = d.Replicas, version = d.ModelVersionName, environment = d.Environment });

    private async Task<Deployment> MutateAsync(long id, Action<Deployment> change, CancellationToken ct)
    {
        var saved = await deployments.MutateAsync(id, change, ct);
        feed.Publish(saved);
        return saved;
    }

    private static Dictionary<string, JsonElement> Details(HealthSettings? health, string? codeDir)
    {
        var details = new Dictionary<string, JsonElement>();
        if (health is not null) details["healthcheck"] = JsonSerializer.SerializeToElement(health);
        if (codeDir is not null) details[DeploymentSpecFactory.CodeDirDetail] = JsonSerializer.SerializeToElement(codeDir);
        return details;
    }
}
