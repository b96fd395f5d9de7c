using System.Text.Json;
using Portal.Core.Configuration;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Stores;

namespace Portal.Core.Dashboards;

/// <summary>
/// Numbers a team lead asks for: how trainings go (per day, success, duration, queue wait, who fails most), how a
/// model's versions compare on a metric, how deployments answer, and what the resource profiles are used for.
/// </summary>
public sealed class TeamDashboardService(IDashboardStore store, PortalConfig config, TimeProvider clock)
{
    public const int DefaultDays = 30;
    public const int MaxDays = 366;
    public const int MaxVersions = 500;
    private static readonly string[] LowerIsBetterHints = ["loss", "error", "mse", "mae", "rmse", "mape", "latency", "time", "perplexity"];

    public async Task<TeamDashboard> GetAsync(DateTime? from, DateTime? to, string? project, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var end = to ?? now;
        var start = from ?? end.Date.AddDays(-(DefaultDays - 1));
        var errors = new ValidationErrors();
        if (start >= end) errors.Add("from", "The start of the window must be before its end.");
        else if ((end - start).TotalDays > MaxDays) errors.Add("from", $"The window is longer than {MaxDays} days; choose a shorter one.");
        errors.ThrowIfAny();
        project = string.IsNullOrWhiteSpace(project) ? null : project.Trim();

        var trainings = await store.TrainingsAsync(start, end, project, ct);
        var traffic = await store.TrafficAsync(start, end, project, ct);
        // IDE sessions belong to users, not projects: a project's dashboard leaves them out.
        var ide = project is null ? await store.IdeSessionsAsync(start, end, ct) : [];

        var ended = trainings.Where(t => t.State is TaskState.Finished or TaskState.Failed or TaskState.Cancelled).ToList();
        var days = new List<TrainingDay>();
        var byDay = trainings.ToLookup(t => DateOnly.FromDateTime(t.CreatedAt));
        for (var day = DateOnly.FromDateTime(start); day <= DateOnly.FromDateTime(end.AddTicks(-1)); day = day.AddDays(1))
        {
            var of = byDay[day].ToList();
            days.Add(new TrainingDay(day, Count(of, TaskState.Waiting), Count(of, TaskState.Running), Count(of, TaskState.Finished), Count(of, TaskState.Failed), Count(of, TaskState.Cancelled)));
        }

        var minutes = Math.Max(1, (end - start).TotalMinutes);
        return new TeamDashboard(
            start, end, project, trainings.Count,
            ended.Count == 0 ? null : ended.Count(t => t.State == TaskState.Finished) / (double)ended.Count,
            days,
            Percentiles.Of(trainings.Where(t => t.State == TaskState.Finished && t.StartTime is not null && t.UpdateTime is not null)
                .Select(t => (t.UpdateTime!.Value - t.StartTime!.Value).TotalSeconds)),
            Percentiles.Of(trainings.Where(t => t.StartTime is not null).Select(t => Math.Max(0, (t.StartTime!.Value - t.CreatedAt).TotalSeconds))),
            ended.GroupBy(t => t.Project)
                .Select(g => new FailingProject(g.Key, g.Count(t => t.State == TaskState.Failed), g.Count()))
                .Where(f => f.Failed > 0).OrderByDescending(f => f.Failed).ThenByDescending(f => f.Rate).ThenBy(f => f.Project).Take(5).ToList(),
            traffic.Select(t => new DeploymentTraffic(t.Deployment, t.Project, t.Environment, t.ModelVersion, t.Requests, t.Errors, t.Requests / minutes,
                t.Requests == 0 ? 0 : t.Errors / (double)t.Requests, t.P50Ms, t.P99Ms)).ToList(),
            ProfileUses(trainings, ide, traffic, start, end, now));
    }

    /// <summary>One metric across a model's versions; <paramref name="metric"/> defaults to the first the versions report.</summary>
    public async Task<MetricSeries> MetricAsync(string model, string? metric, bool? higherIsBetter, CancellationToken ct)
    {
        var versions = await store.VersionsAsync(model.Trim(), MaxVersions, ct) ?? throw new NotFoundException("model", model.Trim());
        var metrics = versions.SelectMany(v => v.Details.Where(d => d.Value.ValueKind == JsonValueKind.Number).Select(d => d.Key)).Distinct().Order().ToList();
        metric = string.IsNullOrWhiteSpace(metric) ? metrics.FirstOrDefault() : metric.Trim();
        if (metric is not null && !metrics.Contains(metric))
            throw new ValidationFailedException("metric", metrics.Count == 0
                ? $"No version of '{model}' reports a numeric metric in its details."
                : $"No version of '{model}' reports '{metric}'; its versions report {string.Join(", ", metrics)}.");
        var higher = higherIsBetter ?? (metric is null || !LowerIsBetterHints.Any(h => metric.Contains(h, StringComparison.OrdinalIgnoreCase)));
        var entry = config.Environments.Count > 0 ? config.Environments[0] : null;
        var points = metric is null ? [] : versions
            .Where(v => v.Details.TryGetValue(metric, out var value) && value.ValueKind == JsonValueKind.Number && double.IsFinite(value.GetDouble()))
            .Select(v => new MetricPoint(v.Version, v.CreatedAt, v.Training, v.Details[metric].GetDouble(),
                config.Environments.Where(e => e == entry || v.Promotions.Contains(e)).ToList()))
            .ToList();
        var best = points.Count == 0 ? null : (higher ? points.MaxBy(p => p.Value) : points.MinBy(p => p.Value))!.Version;
        return new MetricSeries(model.Trim(), metric, higher, metrics, points, best);
    }

    private List<ProfileUse> ProfileUses(IReadOnlyList<TrainingFact> trainings, IReadOnlyList<IdeFact> ide, IReadOnlyList<TrafficFact> traffic, DateTime from, DateTime to, DateTime now)
    {
        var names = trainings.Select(t => t.ResourceProfile ?? Containers.ResourceProfiles.Train)
            .Concat(ide.Select(s => s.ResourceProfile ?? Containers.ResourceProfiles.Ide))
            .Concat(traffic.Where(t => t.Replicas > 0).Select(t => t.ResourceProfile ?? Containers.ResourceProfiles.Deploy)).Distinct().Order();
        var uses = new List<ProfileUse>();
        var windowEnd = to < now ? to : now;
        foreach (var name in names)
        {
            config.ContainerManager.ResourceProfiles.TryGetValue(name, out var profile);
            var cpu = profile?.Requests?.Cpu ?? profile?.Limits?.Cpu ?? 0;
            var memoryGb = (profile?.Requests?.Memory ?? profile?.Limits?.Memory ?? 0) / 1024.0;
            var runs = trainings.Where(t => (t.ResourceProfile ?? Containers.ResourceProfiles.Train) == name).ToList();
            var hours = runs.Where(t => t.StartTime is not null)
                .Sum(t => Math.Max(0, ((t.State == TaskState.Running ? now : t.UpdateTime ?? t.StartTime!.Value) - t.StartTime!.Value).TotalHours));
            var sessions = ide.Where(s => (s.ResourceProfile ?? Containers.ResourceProfiles.Ide) == name).ToList();
            // A session may run for weeks: only its hours inside the window count.
            var ideHours = sessions.Sum(s =>
            {
                var runStart = s.StartTime!.Value > from ? s.StartTime.Value : from;
                var runEnd = s.State == TaskState.Running ? windowEnd : s.UpdateTime ?? s.StartTime.Value;
                if (runEnd > windowEnd) runEnd = windowEnd;
                return Math.Max(0, (runEnd - runStart).TotalHours);
            });
            var replicas = traffic.Where(t => (t.ResourceProfile ?? Containers.ResourceProfiles.Deploy) == name).Sum(t => t.Replicas);
            uses.Add(new ProfileUse(name, runs.Count, hours, sessions.Count, ideHours, (hours + ideHours) * cpu, (hours + ideHours) * memoryGb, replicas));
        }
        return uses;
    }

    private static int Count(List<TrainingFact> facts, TaskState state) => facts.Count(t => t.State == state);
}
