using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using Portal.Core.Logs;
using Portal.Core.Notifications;
using Portal.Web.Features.Trainings;

namespace Portal.Web.Features.Trainings;

/// <summary>The logic of <c>LogViewer.razor</c>.</summary>
public sealed partial class LogViewer
{

    private const int MaxShown = 5000;

    [Parameter, EditorRequired] public string LogKey { get; set; } = "";
    [Parameter] public string? DownloadUrl { get; set; }

    private readonly List<SequencedLogLine> _lines = [];
    private readonly CancellationTokenSource _stop = new();
    private ElementReference _view;
    private string _search = "";
    private bool _following, _attached;
    private DateTime _lastRender;

    protected override void OnInitialized() => _ = FollowAsync();

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!_attached)
        {
            _attached = true;
            await JS.InvokeVoidAsync("portal.stickToBottom", _view);
        }
    }

    private async Task FollowAsync()
    {
        _following = true;
        try
        {
            // Resumes after the last line received: nothing lost or repeated.
            await foreach (var line in Logs.ReadAsync(LogKey, _lines.Count, follow: true, _stop.Token))
            {
                _lines.Add(line);
                if (DateTime.UtcNow - _lastRender > TimeSpan.FromMilliseconds(100))
                {
                    _lastRender = DateTime.UtcNow;
                    await InvokeAsync(StateHasChanged);
                }
            }
        }
        catch (OperationCanceledException) { }
        _following = false;
        await InvokeAsync(StateHasChanged);
    }

    private (IEnumerable<SequencedLogLine> Lines, int Skipped) Visible()
    {
        IEnumerable<SequencedLogLine> lines = _lines;
        if (!string.IsNullOrWhiteSpace(_search)) lines = lines.Where(l => l.Text.Contains(_search, StringComparison.OrdinalIgnoreCase));
        var list = lines as IList<SequencedLogLine> ?? lines.ToList();
        return list.Count > MaxShown ? (list.Skip(list.Count - MaxShown), list.Count - MaxShown) : (list, 0);
    }

    public ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _stop.Dispose();
        return ValueTask.CompletedTask;
    }
}
