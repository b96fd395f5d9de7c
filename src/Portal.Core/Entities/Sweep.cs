using System.Text.Json;

namespace Portal.Core.Entities;

/// <summary>
/// A search over a notebook's parameters (Katib's experiment): one training per trial, at most <see cref="MaxParallel"/>
/// at once, judged by one metric; it ends when every trial has ended, when a trial reaches <see cref="Target"/>, or
/// when a user stops it. The sweep's owner launches each trial with the rights of the user who created it.
/// </summary>
public sealed class Sweep
{
    public long Id { get; set; }
    public string Name { get; set; } = "";
    public long ProjectId { get; set; }
    public Project? Project { get; set; }
    /// <summary>What every trial launches with (notebook, datasets, profile, …), its parameters under the trial's.</summary>
    public LaunchTemplate Template { get; set; } = new();
    /// <summary>The spec as the user wrote it (YAML or JSON), shown again on the sweep's page.</summary>
    public string Spec { get; set; } = "";
    public SweepMethod Method { get; set; }
    /// <summary>Each trial's parameters, in launch order; trial n is the training <c>{sweep}-{n}</c>.</summary>
    public List<Dictionary<string, JsonElement>> Trials { get; set; } = [];
    public int MaxParallel { get; set; }
    public string Objective { get; set; } = "";
    public SweepDirection Direction { get; set; }
    /// <summary>Reaching it (at least it when maximizing, at most when minimizing) ends the sweep early.</summary>
    public double? Target { get; set; }
    /// <summary>How many trials have been launched (or refused at launch).</summary>
    public int Launched { get; set; }
    public SweepState State { get; set; }
    /// <summary>Why the sweep ended as it did, or why a trial could not be launched.</summary>
    public string? Message { get; set; }
    public long? BestTrainingId { get; set; }
    public string? BestTrainingName { get; set; }
    public double? BestValue { get; set; }
    /// <summary>Who created it, and the roles trials are launched with.</summary>
    public string Owner { get; set; } = "";
    public List<string> OwnerRoles { get; set; } = [];
    public DateTime CreatedAt { get; set; }
    public DateTime? EndedAt { get; set; }

    public const int MaxTrials = 500;
    public const int MaxParallelLimit = 20;
    public string TrialName(int number) => $"{Name}-{number}";
}

public enum SweepMethod { Grid, Random }

public enum SweepDirection { Maximize, Minimize }

/// <summary>RUNNING while trials remain; FINISHED when all ended; STOPPED by a user or when the target was reached; FAILED when a trial could not be launched.</summary>
public enum SweepState { Running, Finished, Stopped, Failed }
