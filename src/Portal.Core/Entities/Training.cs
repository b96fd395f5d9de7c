using System.Text.Json;

namespace Portal.Core.Entities;

/// <summary>
/// One execution of a training notebook (Noronha's "train"), or of the portal's batch-scoring notebook (ODAHU's batch
/// job): a model version over a dataset, its predictions stored as a new dataset.
/// </summary>
public sealed class Training
{
    public long Id { get; set; }
    public string Name { get; set; } = "";
    public TrainingKind Kind { get; set; }
    /// <summary>The dataset a batch job's predictions were stored as, once it finished.</summary>
    public long? ScoredDatasetId { get; set; }
    /// <summary>The sweep this training is a trial of.</summary>
    public long? SweepId { get; set; }
    /// <summary>The schedule that launched this training.</summary>
    public long? ScheduleId { get; set; }
    public long ProjectId { get; set; }
    public Project? Project { get; set; }
    public long? BuildVersionId { get; set; }
    public BuildVersion? BuildVersion { get; set; }
    /// <summary>Snapshot: the build tag when the training ran.</summary>
    public string? BuildTag { get; set; }
    /// <summary>The model version the notebook starts from (mounted read-only at /portal/pretrained).</summary>
    public long? PretrainedId { get; set; }
    public ModelVersion? Pretrained { get; set; }
    /// <summary>Snapshot: the pretrained version as <c>model/version</c>.</summary>
    public string? PretrainedName { get; set; }
    /// <summary>Relative path inside the project to the executed notebook.</summary>
    public string Notebook { get; set; } = "";
    public Dictionary<string, JsonElement> Parameters { get; set; } = [];
    public TaskInfo Task { get; set; } = new();
    public Dictionary<string, JsonElement> Details { get; set; } = [];
    public string? ResourceProfile { get; set; }
    /// <summary>Snapshot of the datasets mounted into the run.</summary>
    public List<DatasetRef> Datasets { get; set; } = [];
    public Dictionary<string, string> Env { get; set; } = [];
    /// <summary>Extra host folders mounted into the run (Noronha's <c>--mount</c>).</summary>
    public List<ExtraMount> Mounts { get; set; } = [];
    /// <summary>Numbers the notebook reported with the toolkit (log_metrics).</summary>
    public Dictionary<string, double> Metrics { get; set; } = [];
    /// <summary>The failing cell and its traceback, when the notebook failed.</summary>
    public TrainingFailure? Failure { get; set; }
    /// <summary>Which container manager runs it (local, docker, swarm, kube) and its id there.</summary>
    public string? Manager { get; set; }
    public string? WorkloadId { get; set; }
    /// <summary>sha256 of the task token given to the run; the token itself is never stored.</summary>
    public string? TaskTokenHash { get; set; }
    public bool CancelRequested { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>A project's own notebook, or a batch job that scores a dataset with a model version.</summary>
public enum TrainingKind { Notebook, Batch }

/// <summary>A dataset as it was when a training used it.</summary>
public sealed record DatasetRef(string Model, string Name, long? Id);

/// <summary>A host path mounted at a path in the container, read-only unless said otherwise.</summary>
public sealed record ExtraMount(string Source, string Target, bool ReadOnly);

public sealed record TrainingFailure(int? CellIndex, string? Source, string Ename, string Evalue, IReadOnlyList<string> Traceback);
