using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using Portal.Core.Containers;
using Portal.Core.Logs;

namespace Portal.Web.Components.Shared;

/// <summary>The logic of <c>LiveLog.razor</c>: reads the source and ships its lines to the page in batches.</summary>
public sealed partial class LiveLog
{
    /// <summary>How often batches go at most (see <see cref="AtHand"/>).</summary>
    private static readonly TimeSpan MaxWait = AtHand.PageInterval;

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
        string end;
        try
        {
            await foreach (var batch in Source(_stop.Token).BatchAsync(AtHand.PageBatch, MaxWait, _stop.Token))
                await SendAsync(batch);
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

    private async Task SendAsync(IReadOnlyList<LogLine> batch)
    {
        var texts = batch.Select(l => l.Text).ToArray();
        var streams = string.Concat(batch.Select(l => l.Stream == LogSource.Stderr ? '1' : '0'));
        // Awaited: a page that cannot keep up slows the reading instead of piling lines up in the circuit.
        await InvokeAsync(() => JS.InvokeVoidAsync("portal.logView.append", _stop.Token, _view, texts, streams).AsTask());
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
