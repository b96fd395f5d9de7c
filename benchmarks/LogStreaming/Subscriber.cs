using System.Globalization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Portal.Benchmarks.LogStreaming;

/// <summary>One follower of the log hub: counts the flood lines it receives and how late each arrived.</summary>
public sealed class Subscriber : IAsyncDisposable
{
    public sealed record Line(long Seq, DateTime Timestamp, int Stream, string Text);

    private readonly HubConnection _connection;
    private readonly HashSet<long> _seen = [];
    private long _lastSeq = -1;

    private Subscriber(HubConnection connection) => _connection = connection;

    public List<double> DelaysMs { get; } = [];
    public int DistinctFloodLines => _seen.Count;
    public int Duplicates { get; private set; }
    public int OutOfOrder { get; private set; }

    public static async Task<Subscriber> ConnectAsync(string baseUrl, string token)
    {
        var connection = new HubConnectionBuilder().WithUrl(new Uri(new Uri(baseUrl), "/hubs/logs"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(token)).Build();
        await connection.StartAsync();
        return new Subscriber(connection);
    }

    public async Task FollowAsync(string project, string training)
    {
        // The log exists once the training is launched; retry briefly until the hub knows it.
        while (true)
        {
            try
            {
                await foreach (var line in _connection.StreamAsync<Line>("FollowTraining", project, training, _lastSeq + 1)) Take(line);
                return;
            }
            catch (HubException) { await Task.Delay(100); }
        }
    }

    private void Take(Line line)
    {
        if (line.Seq <= _lastSeq) OutOfOrder++;
        _lastSeq = Math.Max(_lastSeq, line.Seq);
        var parts = line.Text.Split(' ');
        if (parts.Length != 3 || parts[0] != "FLOOD") return;
        if (!_seen.Add(long.Parse(parts[1], CultureInfo.InvariantCulture))) Duplicates++;
        var printedNs = long.Parse(parts[2], CultureInfo.InvariantCulture);
        var nowNs = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;
        DelaysMs.Add((nowNs - printedNs) / 1e6);
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
