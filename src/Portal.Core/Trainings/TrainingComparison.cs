using System.Text.Json;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Stores;

namespace Portal.Core.Trainings;

/// <summary>
/// Trainings side by side (MLflow's compare runs): each run's parameters and final metrics, which of them differ between
/// the runs, the versions each published, and every metric's series for overlaid curves. Runs are named
/// <c>project/training</c>, 2 to <see cref="MaxRuns"/>, in the order given (a shareable URL keeps it).
/// </summary>
public sealed class TrainingComparison(ITrainingStore trainings, IMetricStore series, IModelVersionStore versions)
{
    public const int MinRuns = 2;
    public const int MaxRuns = 50;

    public async Task<ComparedRuns> CompareAsync(IReadOnlyList<string> runs, CancellationToken ct)
    {
        var names = runs.Select(r => r.Trim()).Where(r => r.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        if (names.Count is < MinRuns or > MaxRuns)
            throw new ValidationFailedException("runs", $"Compare {MinRuns} to {MaxRuns} trainings, not {names.Count}; name each as project/training.");
        var wanted = names.Select(n => (Name: n, Ref: ReferenceLookups.Split(n))).ToList();
        var stored = await trainings.FindManyAsync([.. wanted.Where(w => w.Ref is not null).Select(w => w.Ref!.Value)], ct);
        var byRef = stored.ToDictionary(t => (t.Project!.Name, t.Name));
        var errors = new ValidationErrors();
        var found = new List<Training>();
        foreach (var (name, reference) in wanted)
        {
            if (reference is { } r && byRef.TryGetValue(r, out var training)) found.Add(training);
            else errors.Add("runs", $"There is no training '{name}'; name it as project/training.");
        }
        errors.ThrowIfAny();

        var ids = found.Select(t => t.Id).ToList();
        var published = await versions.ListByTrainingsAsync(ids, ct);
        var points = await series.SeriesAsync(ids, ct);
        var compared = found.Select(t => new ComparedRun(t, [.. published[t.Id].Select(v => $"{v.Model!.Name}/{v.Name}")],
            TrainingSeries.ByName(points.GetValueOrDefault(t.Id) ?? []))).ToList();
        var parameters = found.SelectMany(t => t.Parameters.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var metrics = found.SelectMany(t => t.Metrics.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return new ComparedRuns(compared, parameters, metrics,
            [.. parameters.Where(p => found.Select(t => t.Parameters.TryGetValue(p, out var v) ? v.GetRawText() : null).Distinct().Count() > 1)],
            [.. metrics.Where(m => found.Select(t => t.Metrics.TryGetValue(m, out var v) ? v : (double?)null).Distinct().Count() > 1)]);
    }

    /// <summary>A parameter's value as a number for the parallel-coordinates chart: numbers and booleans are, the rest are not.</summary>
    public static double? Numeric(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number => value.GetDouble(),
        JsonValueKind.True => 1,
        JsonValueKind.False => 0,
        _ => null,
    };
}

/// <summary>A compared training, the versions it published and its metric series by name.</summary>
public sealed record ComparedRun(Training Training, IReadOnlyList<string> Versions, IReadOnlyDictionary<string, IReadOnlyList<MetricStep>> Series);

/// <summary>The runs, the union of their parameter and metric names, and those whose values differ between runs.</summary>
public sealed record ComparedRuns(IReadOnlyList<ComparedRun> Runs, IReadOnlyList<string> Parameters, IReadOnlyList<string> Metrics,
    IReadOnlyList<string> DifferingParameters, IReadOnlyList<string> DifferingMetrics);
