using System.Text.Json;
using Portal.Core.Entities;
using Portal.Core.Trainings;

namespace Portal.Core.Batch;

/// <summary>
/// Batch jobs, as callers see them: a model version scores a dataset in a one-off run with a resource profile, and its
/// predictions become a new dataset (dataset + version → batch job → dataset in lineage). A batch job is a training of
/// kind <see cref="TrainingKind.Batch"/> running <see cref="BatchNotebook"/>, so it has one owner
/// (<see cref="TrainingSupervisor"/>), a log, cancellation and the engine-outage handling of every run.
/// </summary>
public sealed class BatchJobService(BatchJobValidator validator, TrainingService trainings)
{
    public async Task<Training> LaunchAsync(BatchJobInput input, CancellationToken ct)
    {
        var (plan, output) = await validator.CheckAsync(input, ct);
        return await trainings.RunAsync(plan, TrainingKind.Batch,
            new Dictionary<string, JsonElement> { [ScoredOutput.OutputDetail] = JsonSerializer.SerializeToElement(output) }, TrainingOrigin.User, ct);
    }
}
