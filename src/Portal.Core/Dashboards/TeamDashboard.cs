namespace Portal.Core.Dashboards;

/// <summary>The team lead's view of a time window (and optionally one project): trainings, traffic and resources.</summary>
/// <param name="SuccessRate">Finished over ended (finished, failed, cancelled); null when none ended.</param>
/// <param name="Duration">Run time of finished trainings, in seconds.</param>
/// <param name="QueueWait">From launch to start, in seconds.</param>
public sealed record TeamDashboard(
    DateTime From,
    DateTime To,
    string? Project,
    int Trainings,
    double? SuccessRate,
    IReadOnlyList<TrainingDay> TrainingsPerDay,
    Percentiles? Duration,
    Percentiles? QueueWait,
    IReadOnlyList<FailingProject> TopFailing,
    IReadOnlyList<DeploymentTraffic> Deployments,
    IReadOnlyList<ProfileUse> Resources);

public sealed record TrainingDay(DateOnly Day, int Waiting, int Running, int Finished, int Failed, int Cancelled)
{
    public int Total => Waiting + Running + Finished + Failed + Cancelled;
}

public sealed record Percentiles(int Count, double P50, double P90, double P99)
{
    /// <summary>Nearest-rank percentiles; null for no values.</summary>
    public static Percentiles? Of(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) return null;
        double At(double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
        return new Percentiles(sorted.Length, At(0.5), At(0.9), At(0.99));
    }
}

public sealed record FailingProject(string Project, int Failed, int Ended)
{
    public double Rate => Ended == 0 ? 0 : Failed / (double)Ended;
}

public sealed record DeploymentTraffic(string Deployment, string Project, string Environment, string? ModelVersion, int Requests, int Errors, double PerMinute, double ErrorRate, double? P50Ms, double? P99Ms);

/// <summary>
/// Use of one resource profile: trainings run and their hours, and what those reserved (the profile's requests, or its
/// limits when it has no requests, times the hours); deployment replicas holding it now.
/// </summary>
/// <summary>
/// One resource profile's use in the window: trainings and their run hours, IDE sessions and their hours inside the
/// window, the core- and GB-hours both reserve (the profile's requests), and deployment replicas now.
/// </summary>
public sealed record ProfileUse(string Profile, int Trainings, double RunHours, int IdeSessions, double IdeHours, double CpuCoreHours, double MemoryGbHours, int DeploymentReplicas);
