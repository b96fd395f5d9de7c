using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Security;
using Portal.Core.Services;
using Portal.Core.Stores;
using Portal.Core.Trainings;

namespace Portal.Core.Schedules;

/// <summary>What a user gives to schedule a training: its launch, the cron schedule, and how runs meet.</summary>
public sealed record ScheduleInput
{
    public required string Project { get; init; }
    public required string Name { get; init; }
    public required string Cron { get; init; }
    public string? TimeZone { get; init; }
    public required string Notebook { get; init; }
    public string? ParametersJson { get; init; }
    public IReadOnlyList<string> Datasets { get; init; } = [];
    /// <summary>A model whose newest dataset each run gets as well.</summary>
    public string? NewestDatasetOf { get; init; }
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();
    public string? ResourceProfile { get; init; }
    public string? Pretrained { get; init; }
    public string? BuildTag { get; init; }
    public bool AllowOverlap { get; init; }
}

/// <summary>
/// Schedules, as callers see them: create (checked whole: the cron, the zone, and the run's launch as the user), list,
/// read with the next times and the runs, pause, resume and delete. The runs are launched by <see cref="ScheduleRunner"/>.
/// </summary>
public sealed class ScheduleService(IScheduleStore schedules, ITrainingStore trainings, IModelStore models, IDatasetStore datasets,
    TrainingLaunchValidator validator, ScheduleRunner runner)
{
    public Task<Page<TrainingSchedule>> ListAsync(string? project, PageRequest request, CancellationToken ct) => schedules.ListAsync(project, request, ct);

    public async Task<TrainingSchedule> GetAsync(string project, string name, CancellationToken ct) =>
        await schedules.FindAsync(project, name, ct) ?? throw new NotFoundException($"schedule in project '{project}'", name);

    /// <summary>The runs the schedule launched, newest first.</summary>
    public Task<IReadOnlyList<Training>> RunsAsync(TrainingSchedule s, CancellationToken ct) => trainings.ListByScheduleAsync(s.Id, 50, ct);

    /// <summary>The next <paramref name="count"/> times it is due (none while paused), in UTC.</summary>
    public static IReadOnlyList<DateTime> Upcoming(TrainingSchedule s, int count = 3)
    {
        var list = new List<DateTime>();
        for (var at = s.NextRunAt; at is { } a && list.Count < count; at = ScheduleRunner.NextAfter(s, a)) list.Add(a);
        return list;
    }

    public async Task<TrainingSchedule> CreateAsync(ScheduleInput input, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var name = input.Name?.Trim() ?? "";
        InputRules.Name(errors, "name", name, "schedule name");
        if (name.Length > 40) errors.Add("name", "A schedule's name has at most 40 characters (its runs are named after it and their time).");
        ScheduleCron.Check(errors, input.Cron, input.TimeZone);
        var parameters = InputRules.Details(errors, "parameters", input.ParametersJson);
        var newestOf = InputRules.Clean(input.NewestDatasetOf);
        Dataset? newest = null;
        if (newestOf is not null)
        {
            if (await models.FindAsync(newestOf, ct) is null) errors.Add("newest_dataset_of", $"There is no model named '{newestOf}'.");
            else newest = await datasets.NewestAsync(newestOf, ct);
        }
        var template = new LaunchTemplate
        {
            Notebook = input.Notebook?.Trim() ?? "", Parameters = parameters, Datasets = [.. input.Datasets.Where(d => !string.IsNullOrWhiteSpace(d))],
            Env = input.Env.ToDictionary(), ResourceProfile = InputRules.Clean(input.ResourceProfile), Pretrained = InputRules.Clean(input.Pretrained),
            BuildTag = InputRules.Clean(input.BuildTag),
        };
        // A run's launch is checked now, as the user, with the model's newest dataset if there is one yet.
        // A bad name is reported once: the check uses a stand-in and keeps its other findings.
        var nameIsBad = errors.Has("name");
        TrainingLaunchPlan? plan = null;
        try
        {
            plan = await validator.CheckAsync(TrainingInput.From(template, input.Project ?? "", nameIsBad ? "schedule-check" : $"{name}-check", parameters,
                newest is null ? null : [$"{newestOf}/{newest.Name}"]), ct);
        }
        catch (ValidationFailedException e) { errors.AddAll(e, except: nameIsBad ? "name" : null); }
        if (plan is not null && await schedules.FindAsync(plan.Project.Name, name, ct) is not null)
            errors.Add("name", $"The project '{plan.Project.Name}' already has a schedule named '{name}'.");
        errors.ThrowIfAny();

        var actor = ActorContext.Current;
        return await runner.AddAsync(new TrainingSchedule
        {
            Name = name, ProjectId = plan!.Project.Id, Project = plan.Project, Cron = input.Cron.Trim(), TimeZone = InputRules.Clean(input.TimeZone) ?? "UTC",
            Template = template, NewestDatasetOf = newestOf, AllowOverlap = input.AllowOverlap,
            Owner = actor?.Name ?? "portal", OwnerRoles = [.. actor?.Roles ?? [Roles.DataScientist]], CreatedAt = runner.Clock.GetUtcNow().UtcDateTime,
        }, ct);
    }

    public async Task<TrainingSchedule> PauseAsync(string project, string name, CancellationToken ct)
    {
        var schedule = await GetAsync(project, name, ct);
        if (schedule.Paused) throw new ConflictException($"The schedule '{name}' is paused already.");
        return await runner.SaveAsync(schedule.Id, s => s.Paused = true, ct);
    }

    /// <summary>Resumes from now: times missed while paused are not run.</summary>
    public async Task<TrainingSchedule> ResumeAsync(string project, string name, CancellationToken ct)
    {
        var schedule = await GetAsync(project, name, ct);
        if (!schedule.Paused) throw new ConflictException($"The schedule '{name}' is not paused.");
        return await runner.SaveAsync(schedule.Id, s => s.Paused = false, ct);
    }

    /// <summary>Deletes the schedule; its runs stay, as trainings.</summary>
    public async Task DeleteAsync(string project, string name, CancellationToken ct)
    {
        var schedule = await GetAsync(project, name, ct);
        await runner.DeleteAsync(schedule.Id, ct);
    }
}
