using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Portal.Core.Containers;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Services;
using Portal.Core.Stores;

namespace Portal.Core.Trainings;

/// <summary>
/// Trainings, as callers see them: launch a parameterized notebook run (checked whole before anything starts), cancel it,
/// take the reports its toolkit sends with the task token, and read its results. The launch is three steps, each its
/// own class: <see cref="TrainingLaunchValidator"/>, <see cref="TrainingWorkspace"/>, <see cref="TrainingSpecFactory"/>.
/// Every write of a training goes through its owner, <see cref="TrainingSupervisor"/>.
/// </summary>
public sealed class TrainingService(
    ITrainingStore trainings, TrainingLaunchValidator validator, TrainingWorkspace workspace, TrainingSpecFactory specs,
    TrainingSupervisor supervisor, TrainingResults results, IContainerManager manager, IMetricStore series)
{
    public Task<Page<Training>> ListAsync(string? project, PageRequest request, CancellationToken ct) =>
        trainings.ListAsync(project, null, request, ct);

    /// <summary>Runs of one kind (the batch jobs page lists batch jobs only).</summary>
    public Task<Page<Training>> ListAsync(string? project, TrainingKind kind, PageRequest request, CancellationToken ct) =>
        trainings.ListAsync(project, kind, request, ct);

    public async Task<Training> GetAsync(string project, string name, CancellationToken ct) =>
        await trainings.FindAsync(project, name, ct) ?? throw new NotFoundException($"training in project '{project}'", name);

    /// <summary>Whether trainings can run now, and if not what to fix (the launch form shows it before anyone fills it in).</summary>
    public Task<ManagerHealth> CheckManagerAsync(CancellationToken ct) => manager.CheckAsync(ct);

    public Task<Training> LaunchAsync(TrainingInput input, CancellationToken ct) => LaunchAsync(input, TrainingOrigin.User, ct);

    /// <summary>A launch the portal makes for a sweep or a schedule (as its owner: the caller sets the actor).</summary>
    internal async Task<Training> LaunchAsync(TrainingInput input, TrainingOrigin origin, CancellationToken ct) =>
        await RunAsync(await validator.CheckAsync(input, ct), TrainingKind.Notebook, [], origin, ct);

    /// <summary>Admits a checked plan as a run of <paramref name="kind"/> launched from <paramref name="origin"/> and starts its workload.</summary>
    internal async Task<Training> RunAsync(TrainingLaunchPlan plan, TrainingKind kind, Dictionary<string, JsonElement> details, TrainingOrigin origin,
        CancellationToken ct)
    {
        var health = await manager.CheckAsync(ct);
        if (!health.Ready) throw new ConflictException($"{health.Summary} {string.Join(" ", health.Problems)}");

        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var training = await supervisor.AdmitAsync(new Training
        {
            Name = plan.Name,
            Kind = kind,
            SweepId = origin.SweepId,
            ScheduleId = origin.ScheduleId,
            Details = details,
            ProjectId = plan.Project.Id,
            Project = plan.Project,
            Notebook = plan.Notebook,
            Parameters = plan.Parameters,
            ResourceProfile = plan.ProfileName,
            Datasets = plan.Datasets.Select(d => new DatasetRef(d.Model!.Name, d.Name, d.Id)).ToList(),
            Env = plan.Env.ToDictionary(),
            Mounts = plan.Mounts,
            PretrainedId = plan.Pretrained?.Id,
            PretrainedName = plan.Pretrained is null ? null : $"{plan.Pretrained.Model!.Name}/{plan.Pretrained.Name}",
            Manager = manager.Capabilities.Kind,
            TaskTokenHash = HashToken(token),
            BuildTag = plan.Build?.Tag,
            BuildVersionId = plan.Build?.Id,
        }, ct);
        try
        {
            // Work that may land on another node fetches its files; extra host folders keep it on the portal's node.
            var fetched = plan.Mounts.Count == 0 && await manager.MayRunElsewhereAsync(ct);
            var prepared = await workspace.PrepareAsync(training.Id, plan, fetched, ct);
            var workloadId = await manager.StartAsync(await specs.BuildAsync(training, plan, prepared, token, ct), ct);
            return await supervisor.StartedAsync(training.Id, workloadId, ct);
        }
        catch (Exception e) when (e is PortalException or IOException)
        {
            await supervisor.NotStartedAsync(training.Id, e.Message);
            throw;
        }
    }

    public async Task CancelAsync(string project, string name, CancellationToken ct)
    {
        var training = await GetAsync(project, name, ct);
        if (training.Task.State is not (TaskState.Waiting or TaskState.Running))
            throw new ConflictException($"The training '{name}' is {training.Task.State.ToString().ToUpperInvariant()}; only waiting or running trainings can be cancelled.");
        await supervisor.CancelAsync(training, ct);
    }

    /// <summary>Progress and metrics from the toolkit of <paramref name="training"/>, whose task token the caller checked.</summary>
    public async Task<Training> ReportAsync(Training training, double? progress, IReadOnlyDictionary<string, double>? metrics,
        IReadOnlyList<MetricStep>? points, CancellationToken ct)
    {
        if (training.Task.State is not (TaskState.Running or TaskState.Waiting))
            throw new ConflictException($"The training '{training.Name}' is {training.Task.State.ToString().ToUpperInvariant()}; it takes no more reports.");
        if (progress is { } p && (p < 0 || p > 1 || double.IsNaN(p)))
            throw new ValidationFailedException("progress", $"Progress must be between 0 and 1, not {p}.");
        points ??= [];
        TrainingSeries.Check(points);
        if (points.Count > 0 && await series.CountAsync(training.Id, ct) + points.Count > TrainingSeries.MaxPointsPerTraining)
            throw new ConflictException($"The training '{training.Name}' has reported {TrainingSeries.MaxPointsPerTraining} points of its metrics, " +
                "as many as a training keeps; log every few steps instead.");
        return await supervisor.ReportAsync(training.Id, progress, metrics, points, ct);
    }

    /// <summary>The series of each metric the training reported over steps, by name.</summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<MetricStep>>> SeriesAsync(string project, string name, CancellationToken ct) =>
        TrainingSeries.ByName(await series.SeriesAsync((await GetAsync(project, name, ct)).Id, ct));

    /// <summary>The training a task token stands for, whatever its state; null when the token is no training's.</summary>
    public Task<Training?> FindByTaskTokenAsync(string token, CancellationToken ct) => trainings.FindByTokenHashAsync(HashToken(token), ct);

    public async Task<DownloadableFile?> OpenResultAsync(string project, string name, string file, CancellationToken ct) =>
        await results.OpenAsync((await GetAsync(project, name, ct)).Id, file, ct);

    public static string HashToken(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
