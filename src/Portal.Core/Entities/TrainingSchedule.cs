namespace Portal.Core.Entities;

/// <summary>
/// A training launched on a cron schedule (Kubeflow's recurring run), e.g. a nightly retraining on the newest dataset of
/// a model. Its runner launches each run with the rights of the user who created it; a run still going skips the next
/// time unless <see cref="AllowOverlap"/>. The next time is kept, so a restart neither loses nor repeats a run.
/// </summary>
public sealed class TrainingSchedule
{
    public long Id { get; set; }
    public string Name { get; set; } = "";
    public long ProjectId { get; set; }
    public Project? Project { get; set; }
    /// <summary>Five fields (minute hour day-of-month month day-of-week), in <see cref="TimeZone"/>.</summary>
    public string Cron { get; set; } = "";
    /// <summary>An IANA time zone id (e.g. Europe/Oslo); UTC by default.</summary>
    public string TimeZone { get; set; } = "UTC";
    public LaunchTemplate Template { get; set; } = new();
    /// <summary>A model whose newest dataset (at each run) is given to the run as well.</summary>
    public string? NewestDatasetOf { get; set; }
    public bool AllowOverlap { get; set; }
    public bool Paused { get; set; }
    /// <summary>When the next run is due (UTC); null while paused.</summary>
    public DateTime? NextRunAt { get; set; }
    public DateTime? LastRunAt { get; set; }
    /// <summary>The last run launched, whose state decides whether the next may start.</summary>
    public long? LastTrainingId { get; set; }
    /// <summary>Each time it came due, newest first, at most <see cref="MaxHistory"/>.</summary>
    public List<ScheduleFire> History { get; set; } = [];
    public string Owner { get; set; } = "";
    public List<string> OwnerRoles { get; set; } = [];
    public DateTime CreatedAt { get; set; }

    public const int MaxHistory = 100;
}

/// <summary>One time a schedule came due: the run it launched, or why none was.</summary>
public sealed record ScheduleFire(DateTime At, ScheduleOutcome Outcome, string? Training, string? Message);

[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<ScheduleOutcome>))]
public enum ScheduleOutcome
{
    [System.Text.Json.Serialization.JsonStringEnumMemberName("started")] Started,
    [System.Text.Json.Serialization.JsonStringEnumMemberName("skipped")] Skipped,
    [System.Text.Json.Serialization.JsonStringEnumMemberName("refused")] Refused,
}
