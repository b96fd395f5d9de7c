using System.Diagnostics;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using Portal.Core.Containers;

namespace Portal.Web.Components.Shared;

/// <summary>The logic of <c>LiveLog.razor</c>: reads the source and ships its lines to the page in batches.</summary>
public sealed partial class LiveLog
{
    /// <summary>Most lines in one message to the page.</summary>
    private const int MaxBatch = 2000;
    /// <summary>
    /// A batch goes when its first line is this old, and no sooner than this after the previous one: a log that writes in
    /// many small bursts costs each follower ~13 messages a second, not one per burst (benchmarks/log-streaming.sh).
    /// </summary>
    private static readonly TimeSpan MaxWait = TimeSpan.FromMilliseconds(75);

    /// <summary>The lines, followed until the source ends or the page goes away.</summary>
    [Parameter, EditorRequired] public Func<CancellationToken, IAsyncEnumerable<LogLine>> Source { get; set; } = _ => AsyncEnumerable.Empty<LogLine>();
    [Parameter] public string Id { get; set; } = "log-view";
    [Parameter] public string? DownloadUrl { get; set; }
    [Parameter] public bool Searchable { get; set; } = true;
    /// <summary>Where the page reads the same lines itself, on /hubs/logs; the circuit reads <see cref="Source"/> only without it.</summary>
    [Parameter] public HubLog? Hub { get; set; }
    /// <summary>The newest lines kept on the page; older ones are dropped there (the download has them all).</summary>
    [Parameter] public int MaxShown { get; set; } = 10_000;

    private readonly CancellationTokenSource _stop = new();
    private ElementReference _view, _search;
    private bool _ended;
    private string _endText = "";

    private string CountId => Id == "log-view" ? "log-count" : $"{Id}-count";

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender) return;
        try
        {
            await JS.InvokeVoidAsync("portal.logView.attach", _view, Searchable ? _search : (ElementReference?)null, MaxShown, CountId);
            if (Hub is not null && await JS.InvokeAsync<bool>("portal.logView.follow", _view, Hub.Method, Hub.Args)) return;
            _ = Task.Run(FollowAsync, CancellationToken.None);
        }
        catch (JSDisconnectedException) { }
    }

    private async Task FollowAsync()
    {
        var texts = new List<string>(MaxBatch);
        var stderr = new System.Text.StringBuilder(MaxBatch);
        var since = Stopwatch.StartNew();
        var sinceSend = Stopwatch.StartNew();
        string end;
        try
        {
            await using var lines = Source(_stop.Token).GetAsyncEnumerator(_stop.Token);
            while (true)
            {
                var next = lines.MoveNextAsync();
                if (!next.IsCompleted && texts.Count > 0)
                {
                    // Nothing more at hand: what is waiting goes now if the last batch went long enough ago (so a quiet log
                    // shows each line at once), else when that time is up, unless more lines come first and join it.
                    var more = next.AsTask();
                    var wait = MaxWait - sinceSend.Elapsed;
                    if (wait <= TimeSpan.Zero || await Task.WhenAny(more, Task.Delay(wait, _stop.Token)) != more)
                        await SendAsync(texts, stderr, sinceSend);
                    if (!await more) break;
                }
                else if (!await next) break;
                // A batch's age counts from its first line: after a slow send the lines waiting meanwhile go together, not one by one.
                if (texts.Count == 0) since.Restart();
                texts.Add(lines.Current.Text);
                stderr.Append(lines.Current.Stream == LogSource.Stderr ? '1' : '0');
                if (texts.Count >= MaxBatch || since.Elapsed >= MaxWait) await SendAsync(texts, stderr, sinceSend);
            }
            if (texts.Count > 0) await SendAsync(texts, stderr, sinceSend);
            end = "";
        }
        catch (OperationCanceledException) { return; }
        catch (JSDisconnectedException) { return; }
        catch (ContainerManagerException e) { end = e.Message; }
        await InvokeAsync(async () =>
        {
            (_ended, _endText) = (true, end);
            try { await JS.InvokeVoidAsync("portal.logView.end", _view, end); }
            catch (JSDisconnectedException) { }
        });
    }

    private async Task SendAsync(List<string> texts, System.Text.StringBuilder stderr, Stopwatch sinceSend)
    {
        sinceSend.Restart();
        var batch = texts.ToArray();
        var streams = stderr.ToString();
        texts.Clear();
        stderr.Clear();
        // Awaited: a page that cannot keep up slows the reading instead of piling lines up in the circuit.
        await InvokeAsync(() => JS.InvokeVoidAsync("portal.logView.append", _stop.Token, _view, batch, streams).AsTask());
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _stop.Dispose();
        if (Hub is null) return;
        try { await JS.InvokeVoidAsync("portal.logView.stop", _view); }
        catch (JSDisconnectedException) { }
        catch (TaskCanceledException) { }
    }
}
