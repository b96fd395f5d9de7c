namespace Portal.Core.Trainings;

/// <summary>What launched a training: a user (neither set), a sweep's trial, or a schedule's run.</summary>
public sealed record TrainingOrigin(long? SweepId = null, long? ScheduleId = null)
{
    public static readonly TrainingOrigin User = new();
}
