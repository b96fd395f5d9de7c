namespace Portal.Core.Containers;

/// <summary>
/// Tells waiters that something changed: <see cref="NextAsync"/> completes at the next <see cref="Signal"/> after it was
/// called. What a manager with engine events hands <see cref="StatusChanges.WatchAsync"/> as its next change.
/// </summary>
public sealed class ChangeSignal
{
    private readonly Lock _gate = new();
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task NextAsync(CancellationToken ct)
    {
        lock (_gate) return _next.Task.WaitAsync(ct);
    }

    public void Signal()
    {
        TaskCompletionSource previous;
        lock (_gate)
        {
            previous = _next;
            _next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        previous.TrySetResult();
    }
}
