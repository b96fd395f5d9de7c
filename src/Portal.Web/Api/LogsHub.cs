using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.SignalR;
using Portal.Core.Builds;
using Portal.Core.Errors;
using Portal.Core.Logs;
using Portal.Core.Trainings;
using Portal.Web.Auth;

namespace Portal.Web.Api;

/// <summary>
/// Live logs for clients outside the Blazor circuit (<c>/hubs/logs</c>). <c>FollowTraining(project, name, fromSeq)</c>
/// and <c>FollowBuild(runId, fromSeq)</c>
/// stream lines with their sequence numbers; a client that reconnects asks again from its last seq + 1, so no line
/// is lost or repeated. The <c>…Batches</c> variants stream the same lines in batches of what is at hand (the console's
/// pages use them: a notebook printing thousands of lines a second costs a page a few messages, not thousands).
/// Who may follow is who may read the log (<c>GET …/log</c>: any viewer), asked again while the stream lasts (<see cref="HubSession"/>).
/// </summary>
public sealed class LogsHub(TrainingService trainings, ProjectBuilder builder, TaskLogBook logs, HubSession session) : Hub
{
    public async IAsyncEnumerable<SequencedLogLine> FollowTraining(string project, string name, long fromSeq, [EnumeratorCancellation] CancellationToken ct)
    {
        Portal.Core.Entities.Training training;
        try { training = await trainings.GetAsync(project, name, ct); }
        catch (NotFoundException e) { throw new HubException(e.Message); }
        await foreach (var line in Follow(TrainingPaths.Log(training.Id), fromSeq, ct)) yield return line;
    }

    /// <summary>A build's output by its run id, the same way.</summary>
    public IAsyncEnumerable<SequencedLogLine> FollowBuild(string runId, long fromSeq, CancellationToken ct) =>
        Follow((builder.GetRun(runId) ?? throw new HubException($"There is no build '{runId}'.")).LogKey, fromSeq, ct);

    public IAsyncEnumerable<IReadOnlyList<SequencedLogLine>> FollowTrainingBatches(string project, string name, long fromSeq, CancellationToken ct) =>
        FollowTraining(project, name, fromSeq, ct).BatchAsync(AtHand.PageBatch, AtHand.PageInterval, ct);

    public IAsyncEnumerable<IReadOnlyList<SequencedLogLine>> FollowBuildBatches(string runId, long fromSeq, CancellationToken ct) =>
        FollowBuild(runId, fromSeq, ct).BatchAsync(AtHand.PageBatch, AtHand.PageInterval, ct);

    private IAsyncEnumerable<SequencedLogLine> Follow(string key, long fromSeq, CancellationToken ct)
    {
        IAsyncEnumerable<SequencedLogLine> lines;
        try { lines = logs.ReadAsync(key, fromSeq, follow: true, ct); }
        catch (ValidationFailedException e) { throw new HubException(e.Message); }
        return session.WhileCurrent(Context.GetHttpContext() ?? throw new HubException("The connection has no request to check."), lines, ct);
    }
}
