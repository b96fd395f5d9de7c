using Portal.Core.Entities;
using Portal.Core.Stores;

namespace Portal.Core.Batch;

/// <summary>What callers read of a batch job beyond what every training has.</summary>
public static class BatchJobs
{
    /// <summary>The dataset a batch job's predictions become (or became), as <c>model/dataset</c>; null for other runs.</summary>
    public static string? ScoredInto(Training t) =>
        t.Kind == TrainingKind.Batch && t.Details.TryGetValue(ScoredOutput.OutputDetail, out var name) &&
        ReferenceLookups.Split(t.PretrainedName) is var (model, _)
            ? $"{model}/{name.GetString()}"
            : null;
}
