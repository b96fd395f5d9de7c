using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.SignalR;
using Portal.Core.Logs;
using Portal.Core.Services;

namespace Portal.Web.Api;

/// <summary>
/// Live logs for clients outside the Blazor circuit (<c>/hubs/logs</c>). <c>FollowTraining(project, name, fromSeq)</c>
/// streams lines with their sequence numbers; a client that reconnects asks again from its last seq + 1, so no line
/// is lost or repeated.
/// </summary>
public sealed class LogsHub(TrainingService trainings, TaskLogBook logs) : Hub
{
    public async IAsyncEnumerable<SequencedLogLine> FollowTraining(string project, string name, long fromSeq, [EnumeratorCancellation] CancellationToken ct)
    {
        var training = await trainings.GetAsync(project, name, ct);
        await foreach (var line in logs.ReadAsync(TrainingService.LogKey(training.Id), fromSeq, follow: true, ct))
            yield return line;
    }
}
