using System.Globalization;
using System.Text.Json;
using Portal.Core.Configuration;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Security;
using Portal.Core.Storage;
using Portal.Core.Stores;
using Portal.Core.Trainings;

namespace Portal.Core.Services;

/// <summary>
/// Model versions (Noronha's movers, akerbp's versioned artifacts): uploaded by hand or published by a training
/// with its task token, checked against the model's file specs, kept with their lineage (training, dataset,
/// pretrained version, build). They land in the first environment and move on by explicit promotion, one
/// environment at a time, each with a comment, who and when. A version a deployment serves cannot be deleted.
/// Nine dependencies (the written reason for passing seven): a version's lineage joins its model, dataset and training,
/// and its files, limits, environments and audit are each their own service.
/// </summary>
public sealed class ModelVersionService(
    IModelVersionStore versions, IModelStore models, IDatasetStore datasets, IFileStore files,
    UploadLimits limits, PortalConfig config, TimeProvider clock, AuditLog audit, Notifications.PortalEvents events)
{
    public IReadOnlyList<string> Environments => config.Environments;
    public string EntryEnvironment => config.Environments[0];

    public Task<Page<ModelVersion>> ListAsync(string? model, PageRequest request, CancellationToken ct) => versions.ListAsync(model, request, ct);

    public Task<IReadOnlyList<ModelVersion>> ListForModelsAsync(IReadOnlyCollection<string> modelNames, int take, CancellationToken ct) =>
        versions.ListForModelsAsync(modelNames, take, ct);

    public Task<IReadOnlyList<ModelVersion>> PublishedByAsync(Training training, CancellationToken ct) => versions.ListByTrainingAsync(training.Id, ct);

    public async Task<ModelVersion> GetAsync(string model, string name, CancellationToken ct) =>
        await versions.FindAsync(model, name, ct) ?? throw new NotFoundException($"version of model '{model}'", name);

    /// <summary>A version by its <c>model/version</c> reference.</summary>
    public async Task<ModelVersion> GetByReferenceAsync(string reference, CancellationToken ct) =>
        await versions.FindByReferenceAsync(reference, ct)
            ?? throw new ValidationFailedException("model_version", $"There is no model version '{reference}'; write it as model/version.");

    /// <summary>Environments the version is in, in the configured order.</summary>
    public IReadOnlyList<string> EnvironmentsOf(ModelVersion version) => Environments.Where(e => version.IsIn(e, EntryEnvironment)).ToList();

    /// <summary>Starts an upload by hand (no training).</summary>
    public Task<ModelVersionUpload> BeginUploadAsync(string modelName, VersionDraft draft, CancellationToken ct) => BeginAsync(modelName, draft, null, ct);

    /// <summary>Starts a version published by a running training; the task token says which one, and its lineage comes along.</summary>
    public const int MaxPublishIdLength = 100;

    /// <summary>A version published by <paramref name="training"/>, whose task token the caller checked.</summary>
    public async Task<ModelVersionUpload> BeginPublishAsync(Training training, string modelName, VersionDraft draft, CancellationToken ct)
    {
        if (training.Task.State is not (TaskState.Running or TaskState.Waiting))
            throw new ConflictException($"The training '{training.Name}' is {training.Task.State.ToString().ToUpperInvariant()}; only a running training can publish.");
        if (draft.PublishId is { Length: > 0 } given && (given.Length > MaxPublishIdLength || given.Any(char.IsControl)))
            throw new ValidationFailedException("publish_id", $"A publish_id is at most {MaxPublishIdLength} printable characters.");
        // The same publish sent again (the portal restarted before it answered): the version it made is the answer. Only
        // this training's versions are looked at, so an id never reaches another training's work.
        if (draft.PublishId is { Length: > 0 } publishId
            && (await versions.ListByTrainingAsync(training.Id, ct)).FirstOrDefault(v => v.PublishId == publishId) is { } made)
            return ModelVersionUpload.AlreadyPublished(this, made);
        return await BeginAsync(modelName, draft, training, ct);
    }

    private async Task<ModelVersionUpload> BeginAsync(string modelName, VersionDraft draft, Training? training, CancellationToken ct)
    {
        var model = await models.FindAsync(modelName, ct) ?? throw new NotFoundException("model", modelName);
        var errors = new ValidationErrors();
        var numbered = string.IsNullOrWhiteSpace(draft.Name);
        var name = numbered ? NextName(await versions.NamesAsync(model.Id, ct)) : draft.Name!.Trim();
        InputRules.Name(errors, "name", name, "version name");
        var details = InputRules.Details(errors, "details", draft.DetailsJson);
        if (training is not null)
            foreach (var (metric, value) in training.Metrics)
                details.TryAdd(metric, JsonSerializer.SerializeToElement(value));

        Dataset? dataset = null;
        if (!string.IsNullOrWhiteSpace(draft.Dataset))
        {
            dataset = await datasets.FindAsync(model.Name, draft.Dataset.Trim(), ct);
            if (dataset is null) errors.Add("dataset", $"The model '{model.Name}' has no dataset named '{draft.Dataset.Trim()}'.");
        }
        else if (training?.Datasets.FirstOrDefault(d => d.Model == model.Name) is { } used)
        {
            dataset = await datasets.FindAsync(used.Model, used.Name, ct);
        }

        ModelVersion? pretrained = null;
        if (!string.IsNullOrWhiteSpace(draft.Pretrained))
        {
            pretrained = await versions.FindByReferenceAsync(draft.Pretrained, ct);
            if (pretrained is null) errors.Add("pretrained", $"There is no model version '{draft.Pretrained.Trim()}'; write it as model/version.");
        }
        if (errors.IsEmpty && await versions.FindAsync(model.Name, name, ct) is not null)
            errors.Add("name", $"The model '{model.Name}' already has a version named '{name}'.");
        errors.ThrowIfAny();

        var version = new ModelVersion
        {
            Name = name,
            ModelId = model.Id,
            Model = model,
            TrainingId = training?.Id,
            TrainingName = training is null ? null : $"{training.Project?.Name}/{training.Name}",
            DatasetId = dataset?.Id,
            DatasetName = dataset?.Name,
            PretrainedId = pretrained?.Id ?? training?.PretrainedId,
            BuildVersionId = training?.BuildVersionId,
            Details = details,
            Compressed = draft.Compress,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
            PublishId = training is null || string.IsNullOrWhiteSpace(draft.PublishId) ? null : draft.PublishId.Trim(),
        };
        return new ModelVersionUpload(this, version, numbered, new StagedFiles(files, limits.MaxUploadBytes, model.ModelFiles, $"the model '{model.Name}'"));
    }

    /// <summary>Checks the files chosen for a new version of <paramref name="modelName"/> before any is sent (names, sizes, required files).</summary>
    public async Task CheckPlanAsync(string modelName, IReadOnlyList<PlannedFile> planned, CancellationToken ct)
    {
        var model = await models.FindAsync(modelName, ct) ?? throw new NotFoundException("model", modelName);
        var errors = new ValidationErrors();
        UploadPlan.Check(model.ModelFiles, planned, limits.MaxUploadBytes, $"the model '{model.Name}'", errors);
        errors.ThrowIfAny();
    }

    /// <summary>The role promoting into <paramref name="environment"/> takes: a team lead for the last one (prod), else a data scientist.</summary>
    public string RoleToPromoteTo(string environment) => environment == config.Environments[^1] ? Roles.TeamLead : Roles.DataScientist;

    /// <summary>Promotes a version one environment on, as the current actor; the last environment (prod) needs a team lead.</summary>
    public async Task<ModelVersion> PromoteAsync(string model, string name, string environment, string? comment, CancellationToken ct)
    {
        var version = await GetAsync(model, name, ct);
        await audit.DemandAsync(RoleToPromoteTo(environment), $"promote a version to '{environment}'", $"model version {model}/{name}", ct);
        var by = ActorContext.Current!.Name;
        var errors = new ValidationErrors();
        var index = config.Environments.IndexOf(environment);
        if (index < 0) errors.Add("environment", $"There is no environment '{environment}'; the environments are {string.Join(", ", Environments)}.");
        else if (index == 0) errors.Add("environment", $"Every version is in '{EntryEnvironment}' from the start.");
        if (string.IsNullOrWhiteSpace(comment)) errors.Add("comment", "Say why the version is promoted (it is kept with the promotion).");
        else if (comment.Length > 2000) errors.Add("comment", "The comment is longer than 2,000 characters.");
        errors.ThrowIfAny();
        if (version.IsIn(environment, EntryEnvironment))
            throw new ConflictException($"Version '{name}' of '{model}' is in '{environment}' already.");
        var previous = config.Environments[index - 1];
        if (!version.IsIn(previous, EntryEnvironment))
            throw new ConflictException($"Version '{name}' of '{model}' must be promoted to '{previous}' before '{environment}'.");
        version.Promotions.Add(new Promotion(environment, comment!.Trim(), by, clock.GetUtcNow().UtcDateTime));
        await versions.SetPromotionsAsync(version.Id, version.Promotions, ct);
        events.Publish(Notifications.PortalEvent.VersionPromoted, $"model version {model}/{name}",
            new { model, version = name, environment, comment = comment.Trim(), by });
        return version;
    }

    public async Task DeleteAsync(string model, string name, CancellationToken ct)
    {
        var version = await GetAsync(model, name, ct);
        var serving = await versions.DeploymentsUsingAsync(version.Id, ct);
        if (serving.Count > 0)
            throw new ConflictException($"Version '{name}' of '{model}' is served by {(serving.Count == 1 ? "the deployment" : "the deployments")} {string.Join(", ", serving.Select(s => $"'{s}'"))}; remove or switch {(serving.Count == 1 ? "it" : "them")} first.");
        await versions.DeleteAsync(version.Id, ct);
        await files.DeleteAsync(StorageKeys.ModelVersion(version.Id), ct);
    }

    public async Task<DownloadableFile> OpenFileAsync(string model, string name, string fileName, CancellationToken ct) =>
        await OpenFileAsync(await GetAsync(model, name, ct), fileName, ct);

    /// <summary>One file of a version the caller has already loaded (and checked).</summary>
    public async Task<DownloadableFile> OpenFileAsync(ModelVersion version, string fileName, CancellationToken ct)
    {
        var file = version.Files.Find(f => f.Name == fileName)
            ?? throw new NotFoundException($"file of version '{version.Model?.Name}/{version.Name}'", fileName);
        var content = await ArtifactFiles.OpenAsync(files, StorageKeys.ModelVersion(version.Id), version.Compressed, fileName, ct);
        return new DownloadableFile(fileName, file.Size, content);
    }

    public async Task<DownloadableFile> OpenArchiveAsync(string model, string name, CancellationToken ct)
    {
        var version = await GetAsync(model, name, ct);
        if (!version.Compressed || version.Archive is null)
            throw new ConflictException($"Version '{name}' of '{model}' is not compressed; download its files one by one.");
        return new DownloadableFile(version.Archive.Name, version.Archive.Size, await files.OpenReadAsync(StorageKeys.ModelVersionArchive(version.Id), ct));
    }

    /// <summary>The next number after the highest numeric name (1 for the first version).</summary>
    public static string NextName(IEnumerable<string> existing) =>
        ((existing.Select(n => long.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0).DefaultIfEmpty(0).Max()) + 1).ToString(CultureInfo.InvariantCulture);

    /// <summary>How often a numbered version takes the next number when others of its model were stored first.</summary>
    private const int NumberAttempts = 10;

    /// <param name="numbered">The portal chose the name (the next number): when another upload of the model stored that
    /// number first (trials of a sweep publishing at once), this one takes the next free number instead of failing.</param>
    internal async Task<ModelVersion> AddAsync(ModelVersion version, bool numbered, Func<long, CancellationToken, Task> placeFiles, CancellationToken ct)
    {
        ModelVersion added;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                added = await versions.AddAsync(version, placeFiles, ct);
                break;
            }
            catch (ConflictException) when (numbered && attempt < NumberAttempts)
            {
                var taken = await versions.NamesAsync(version.ModelId, ct);
                if (!taken.Contains(version.Name, StringComparer.Ordinal)) throw;
                version.Name = NextName(taken);
                if (version.Archive is not null) version.Archive = version.Archive with { Name = ModelVersionUpload.ArchiveName(version) };
            }
        }
        var model = added.Model?.Name ?? version.Model?.Name;
        events.Publish(Notifications.PortalEvent.VersionPublished, $"model version {model}/{added.Name}",
            new { model, version = added.Name, training = added.Training?.Name, created_at = added.CreatedAt });
        return added;
    }

}
