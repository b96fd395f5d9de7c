using Portal.Core.Trainings;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.SignalR;
using Portal.Core.Builds;
using Portal.Core.Logs;
using Portal.Core.Services;

namespace Portal.Web.Api;

/// <summary>
/// Live logs for clients outside the Blazor circuit (<c>/hubs/logs</c>). <c>FollowTraining(project, name, fromSeq)</c>
/// and <c>FollowBuild(runId, fromSeq)</c>
/// stream lines with their sequence numbers; a client that reconnects asks again from its last seq + 1, so no line
/// is lost or repeated. The <c>…Batches</c> variants stream the same lines in batches of what is at hand (the console's
/// pages use them: a notebook printing thousands of lines a second costs a page a few messages, not thousands).
/// </summary>
public sealed class LogsHub(TrainingService trainings, ProjectBuilder builder, TaskLogBook logs) : Hub
{
    public async IAsyncEnumerable<SequencedLogLine> FollowTraining(string project, string name, long fromSeq, [EnumeratorCancellation] CancellationToken ct)
    {
        Portal.Core.Entities.Training training;
        try { training = await trainings.GetAsync(project, name, ct); }
        catch (Portal.Core.Errors.NotFoundException e) { throw new HubException(e.Message); }
        await foreach (var line in logs.ReadAsync(TrainingPaths.Log(training.Id), fromSeq, follow: true, ct))
            yield return line;
    }

    /// <summary>A build's output by its run id, the same way.</summary>
    public async IAsyncEnumerable<SequencedLogLine> FollowBuild(string runId, long fromSeq, [EnumeratorCancellation] CancellationToken ct)
    {
        var run = builder.GetRun(runId) ?? throw new HubException($"There is no build '{runId}'.");
        await foreach (var line in logs.ReadAsync(run.LogKey, fromSeq, follow: true, ct))
            yield return line;
    }

    /// <summary>Most lines in one batch.</summary>
    public const int MaxBatch = 1000;

    public IAsyncEnumerable<IReadOnlyList<SequencedLogLine>> FollowTrainingBatches(string project, string name, long fromSeq, CancellationToken ct) =>
        FollowTraining(project, name, fromSeq, ct).BatchAsync(MaxBatch, AtHand.PageInterval, ct);

    public IAsyncEnumerable<IReadOnlyList<SequencedLogLine>> FollowBuildBatches(string runId, long fromSeq, CancellationToken ct) =>
        FollowBuild(runId, fromSeq, ct).BatchAsync(MaxBatch, AtHand.PageInterval, ct);
}
