using Microsoft.AspNetCore.Components;
using Portal.Core.Containers;
using Portal.Core.Deployments;
using Portal.Core.Notifications;
using Portal.Web.Features.Deployments;

namespace Portal.Web.Features.Deployments;

/// <summary>The logic of <c>WorkloadLogView.razor</c>.</summary>
public sealed partial class WorkloadLogView
{

    private const int MaxLines = 1000;
    /// <summary>The service's followed output (DeploymentService.FollowLogAsync, IdeService.FollowLogAsync).</summary>
    [Parameter, EditorRequired] public Func<CancellationToken, IAsyncEnumerable<LogLine>> Lines { get; set; } = _ => AsyncEnumerable.Empty<LogLine>();

    private readonly LinkedList<LogLine> _lines = new();
    private readonly CancellationTokenSource _stop = new();
    private string? _error;
    private volatile bool _changed;

    protected override void OnInitialized()
    {
        _ = FollowAsync();
        _ = RenderChangesAsync();
    }

    /// <summary>Renders at most five times a second however fast lines come, and soon after the last one.</summary>
    private async Task RenderChangesAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                if (!_changed) continue;
                _changed = false;
                await InvokeAsync(StateHasChanged);
            }
        }
        catch (OperationCanceledException) { }
    }

    private async Task FollowAsync()
    {
        try
        {
            await foreach (var line in Lines(_stop.Token))
            {
                await InvokeAsync(() =>
                {
                    _lines.AddLast(line);
                    if (_lines.Count > MaxLines) _lines.RemoveFirst();
                });
                _changed = true;
            }
        }
        catch (OperationCanceledException) { }
        catch (ContainerManagerException e)
        {
            _error = e.Message;
            await InvokeAsync(StateHasChanged);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }
}
