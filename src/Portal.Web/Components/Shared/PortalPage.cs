using Microsoft.AspNetCore.Components;

namespace Portal.Web.Components.Shared;

/// <summary>
/// A page or component whose I/O ends when it goes away: <see cref="Aborted"/> is cancelled when it is disposed (the user
/// left, or the circuit closed), so no service call outlives the page that asked for it.
/// </summary>
public abstract class PortalPage : ComponentBase, IDisposable
{
    private readonly CancellationTokenSource _aborted = new();
    private bool _disposed;

    protected CancellationToken Aborted => _aborted.Token;

    /// <summary>
    /// Calls <paramref name="load"/> every <paramref name="every"/> and renders again, until the page goes away; a load the
    /// portal refuses (a store busy for a moment) is tried again at the next tick.
    /// </summary>
    protected void RefreshEvery(TimeSpan every, Func<Task> load) => _ = RefreshAsync(every, load);

    private async Task RefreshAsync(TimeSpan every, Func<Task> load)
    {
        try
        {
            using var timer = new PeriodicTimer(every);
            while (await timer.WaitForNextTickAsync(Aborted))
            {
                try { await load(); }
                catch (Portal.Core.Errors.PortalException) { continue; }
                await InvokeAsync(StateHasChanged);
            }
        }
        catch (OperationCanceledException) { }
        catch (ObjectDisposedException) { }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (!disposing) return;
        _aborted.Cancel();
        _aborted.Dispose();
    }
}
