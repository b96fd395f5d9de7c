using System.Globalization;
using System.Text.Json;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Names;
using Portal.Core.Security;
using Portal.Core.Services;
using Portal.Core.Stores;
using Portal.Core.Trainings;

namespace Portal.Core.Sweeps;

/// <summary>What a user gives to start a sweep: a training's launch, the search spec, and how to judge and pace it.</summary>
public sealed record SweepInput
{
    public required string Project { get; init; }
    /// <summary>Empty for a random readable name; trial n is the training <c>{name}-{n}</c>.</summary>
    public string? Name { get; init; }
    public required string Notebook { get; init; }
    /// <summary>A JSON object of parameters every trial gets; the spec's values win.</summary>
    public string? ParametersJson { get; init; }
    public required string Spec { get; init; }
    public required string Objective { get; init; }
    /// <summary>maximize (the default) or minimize.</summary>
    public string? Direction { get; init; }
    public int MaxParallel { get; init; } = 2;
    public double? Target { get; init; }
    public IReadOnlyList<string> Datasets { get; init; } = [];
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();
    public string? ResourceProfile { get; init; }
    public string? Pretrained { get; init; }
    public IReadOnlyList<string> Mounts { get; init; } = [];
    public string? BuildTag { get; init; }
}

/// <summary>
/// Sweeps, as callers see them: start one (checked whole before anything runs: the spec, the pacing, and the first trial's
/// launch as the user), list, read with its trials, stop, and promote the best run's version. The trials run under
/// <see cref="SweepSupervisor"/>, the one writer of a sweep.
/// </summary>
public sealed class SweepService(ISweepStore sweeps, ITrainingStore trainings, TrainingLaunchValidator validator, SweepSupervisor supervisor,
    ModelVersionService versions)
{
    public Task<Page<Sweep>> ListAsync(string? project, PageRequest request, CancellationToken ct) => sweeps.ListAsync(project, request, ct);

    public async Task<Sweep> GetAsync(string project, string name, CancellationToken ct) =>
        await sweeps.FindAsync(project, name, ct) ?? throw new NotFoundException($"sweep in project '{project}'", name);

    /// <summary>The sweep's trials, in launch order.</summary>
    public async Task<IReadOnlyList<Training>> TrialsAsync(Sweep sweep, CancellationToken ct) => await trainings.ListBySweepAsync(sweep.Id, ct);

    public async Task<Sweep> StartAsync(SweepInput input, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var name = string.IsNullOrWhiteSpace(input.Name) ? ReadableNames.Next() : input.Name.Trim();
        // Trial names add "-NNN"; the sweep's name leaves room for them within a training name's length.
        InputRules.Name(errors, "name", name, "sweep name");
        if (name.Length > 40) errors.Add("name", "A sweep's name has at most 40 characters (its trials are named after it).");
        var spec = SweepSpec.Parse(input.Spec, errors);
        var objective = input.Objective?.Trim() ?? "";
        if (objective.Length == 0) errors.Add("objective", "Name the metric that judges the trials, as the notebook reports it (e.g. accuracy).");
        else if (objective.Length > 100 || objective.Any(char.IsControl)) errors.Add("objective", "A metric name has at most 100 characters and no control characters.");
        var direction = input.Direction?.Trim().ToLowerInvariant() switch
        {
            null or "" or "max" or "maximize" => SweepDirection.Maximize,
            "min" or "minimize" => SweepDirection.Minimize,
            var other => Invalid(errors, "direction", $"'{other}' is not a direction; use maximize or minimize."),
        };
        if (input.MaxParallel < 1 || input.MaxParallel > Sweep.MaxParallelLimit)
            errors.Add("max_parallel", $"Run from 1 to {Sweep.MaxParallelLimit} trainings at once.");
        if (input.Target is { } t && !double.IsFinite(t)) errors.Add("target", "The target is a number.");
        var baseParameters = InputRules.Details(errors, "parameters", input.ParametersJson);
        var template = new LaunchTemplate
        {
            Notebook = input.Notebook?.Trim() ?? "", Parameters = baseParameters, Datasets = [.. input.Datasets], Env = input.Env.ToDictionary(),
            ResourceProfile = InputRules.Clean(input.ResourceProfile), Pretrained = InputRules.Clean(input.Pretrained), Mounts = [.. input.Mounts],
            BuildTag = InputRules.Clean(input.BuildTag),
        };
        var trials = spec?.Trials() ?? [];
        // The first trial's launch is checked now, as the user: the project, notebook, datasets, profile and mounts are
        // the same for every trial, so a sweep that cannot run is refused before anything starts.
        // A bad name is reported once: the check uses a stand-in and keeps its other findings.
        var nameIsBad = errors.Has("name");
        TrainingLaunchPlan? first = null;
        var parameters = new Dictionary<string, JsonElement>(baseParameters);
        foreach (var (k, v) in trials.FirstOrDefault() ?? []) parameters[k] = v;
        try { first = await validator.CheckAsync(TrainingInput.From(template, input.Project, nameIsBad ? "sweep-1" : $"{name}-1", parameters), ct); }
        catch (ValidationFailedException e) { errors.AddAll(e, except: nameIsBad ? "name" : null); }
        if (first is not null && await sweeps.FindAsync(first.Project.Name, name, ct) is not null)
            errors.Add("name", $"The project '{first.Project.Name}' already has a sweep named '{name}'.");
        errors.ThrowIfAny();

        var actor = ActorContext.Current;
        return await supervisor.AddAsync(new Sweep
        {
            Name = name, ProjectId = first!.Project.Id, Project = first.Project, Template = template, Spec = input.Spec,
            Method = spec!.Method, Trials = trials, MaxParallel = input.MaxParallel, Objective = objective, Direction = direction,
            Target = input.Target, Owner = actor?.Name ?? "portal", OwnerRoles = [.. actor?.Roles ?? [Roles.DataScientist]],
        }, ct);
    }

    public async Task<Sweep> StopAsync(string project, string name, CancellationToken ct)
    {
        var sweep = await GetAsync(project, name, ct);
        return await supervisor.StopAsync(sweep.Id, $"Stopped by {ActorContext.Current?.Name ?? "the portal"}.", ct);
    }

    /// <summary>
    /// Promotes the version the best run published (its newest, if several) to the next environment, as the caller (the
    /// environment's role applies), with a comment that names the sweep unless one is given.
    /// </summary>
    public async Task<ModelVersion> PromoteBestAsync(string project, string name, string? environment, string? comment, CancellationToken ct)
    {
        var sweep = await GetAsync(project, name, ct);
        if (sweep.BestTrainingId is not { } bestId || await trainings.GetAsync(bestId, ct) is not { } best)
            throw new ConflictException($"The sweep '{name}' has no best run yet: no trial has finished with the metric '{sweep.Objective}'.");
        var published = await versions.PublishedByAsync(best, ct);
        var version = published.OrderByDescending(v => v.Id).FirstOrDefault()
            ?? throw new ConflictException($"The best run '{best.Name}' published no model version; a trial publishes one with the toolkit's Publisher.");
        var model = version.Model!.Name;
        var next = InputRules.Clean(environment) ?? versions.Environments.FirstOrDefault(e => !versions.EnvironmentsOf(version).Contains(e))
            ?? throw new ConflictException($"Version '{version.Name}' of '{model}' is in every environment already.");
        var why = InputRules.Clean(comment)
            ?? string.Create(CultureInfo.InvariantCulture, $"Best run of sweep '{sweep.Name}': {best.Name} ({sweep.Objective} {sweep.BestValue}).");
        return await versions.PromoteAsync(model, version.Name, next, why, ct);
    }

    private static SweepDirection Invalid(ValidationErrors errors, string field, string message)
    {
        errors.Add(field, message);
        return SweepDirection.Maximize;
    }
}
