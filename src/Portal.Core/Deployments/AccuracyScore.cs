using System.Globalization;
using System.Text.Json;
using Portal.Core.Entities;

namespace Portal.Core.Deployments;

/// <summary>
/// How right a deployment was on the requests that got feedback: <see cref="Labelled"/> requests with <see cref="Rows"/>
/// scored predictions; accuracy for a classifier, mean absolute and root mean squared error for a regressor.
/// </summary>
public sealed record AccuracyScore(int Labelled, int Rows, double? Accuracy, double? Mae, double? Rmse)
{
    public static readonly AccuracyScore None = new(0, 0, null, null, null);

    private static readonly string[] TruthKeys = ["truth", "label", "labels", "actual"];

    /// <summary>The figure an alert compares with its threshold: accuracy (higher is better) or RMSE (lower is better).</summary>
    public double? Headline(ModelKind kind) => kind == ModelKind.Classification ? Accuracy : Rmse;

    /// <summary>
    /// Scores records whose response has <c>prediction</c> (the toolkit's answer) and whose feedback has <c>truth</c>
    /// (or <c>label</c>, <c>labels</c>, <c>actual</c>): one value or a list, matched row by row. Records that do not
    /// parse are left out, not counted as wrong.
    /// </summary>
    public static AccuracyScore Of(ModelKind kind, IEnumerable<PredictionRecord> records)
    {
        int labelled = 0, rows = 0, right = 0;
        double absolute = 0, squared = 0;
        foreach (var record in records)
        {
            if (Pairs(record) is not { Count: > 0 } pairs) continue;
            var scored = 0;
            foreach (var (predicted, truth) in pairs)
            {
                if (kind == ModelKind.Classification)
                {
                    scored++;
                    if (Same(predicted, truth)) right++;
                }
                else if (Number(predicted) is { } p && Number(truth) is { } t)
                {
                    scored++;
                    absolute += Math.Abs(p - t);
                    squared += (p - t) * (p - t);
                }
            }
            if (scored == 0) continue;
            labelled++;
            rows += scored;
        }
        if (rows == 0) return None;
        return kind == ModelKind.Classification
            ? new AccuracyScore(labelled, rows, (double)right / rows, null, null)
            : new AccuracyScore(labelled, rows, null, absolute / rows, Math.Sqrt(squared / rows));
    }

    private static List<(JsonElement Predicted, JsonElement Truth)>? Pairs(PredictionRecord record)
    {
        if (record.Response is null || record.Feedback is null) return null;
        try
        {
            using var response = JsonDocument.Parse(record.Response);
            using var feedback = JsonDocument.Parse(record.Feedback);
            var predicted = response.RootElement.ValueKind == JsonValueKind.Object && response.RootElement.TryGetProperty("prediction", out var p)
                ? Flatten(p) : [];
            var truth = feedback.RootElement.ValueKind == JsonValueKind.Object
                ? TruthKeys.Select(k => feedback.RootElement.TryGetProperty(k, out var t) ? Flatten(t) : null)
                    .FirstOrDefault(t => t is not null) ?? []
                : Flatten(feedback.RootElement);
            return [.. predicted.Zip(truth)];
        }
        catch (JsonException) { return null; }
    }

    /// <summary>Scalars in order: [["a"], ["b"]] and ["a", "b"] both give a, b. Cloned so they outlive the document.</summary>
    private static List<JsonElement> Flatten(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Array) return [e.Clone()];
        return [.. e.EnumerateArray().SelectMany(Flatten)];
    }

    private static bool Same(JsonElement a, JsonElement b) => Number(a) is { } x && Number(b) is { } y
        ? x.Equals(y)
        : a.ValueKind == JsonValueKind.String && b.ValueKind == JsonValueKind.String ? a.GetString() == b.GetString() : a.GetRawText() == b.GetRawText();

    private static double? Number(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Number => e.GetDouble(),
        JsonValueKind.True => 1,
        JsonValueKind.False => 0,
        JsonValueKind.String when double.TryParse(e.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => null,
    };
}
