namespace Portal.Core.Containers;

/// <summary>
/// One follower's view of an engine outage: since when the engine has not answered, how long to wait before asking
/// again (1 s doubling to 30 s), and whether it has been down longer than the follower may wait.
/// </summary>
public sealed class EngineOutage(TimeProvider clock, TimeSpan giveUpAfter)
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromSeconds(30);
    private TimeSpan _nextDelay = FirstRetry;

    public DateTime? Since { get; private set; }
    /// <summary>What the last failed call said.</summary>
    public string? Reason { get; private set; }
    public TimeSpan Duration => Since is { } since ? clock.GetUtcNow().UtcDateTime - since : TimeSpan.Zero;
    public bool Exhausted => Since is not null && Duration >= giveUpAfter;

    /// <summary>Records a failed call; true when it starts the outage.</summary>
    public bool Begin(string reason)
    {
        Reason = reason;
        if (Since is not null) return false;
        Since = clock.GetUtcNow().UtcDateTime;
        return true;
    }

    /// <summary>The wait before the next try; never past the give-up time by more than a second.</summary>
    public TimeSpan NextDelay()
    {
        var delay = _nextDelay;
        _nextDelay = TimeSpan.FromTicks(Math.Min(_nextDelay.Ticks * 2, LongestRetry.Ticks));
        var left = giveUpAfter - Duration;
        return left < delay ? (left > TimeSpan.Zero ? left : TimeSpan.Zero) + TimeSpan.FromMilliseconds(10) : delay;
    }

    /// <summary>The last outage that ended, if any: work that ended during it most likely ended because of it.</summary>
    public (DateTime From, DateTime To)? Previous { get; private set; }

    public void End()
    {
        if (Since is { } since) Previous = (since, clock.GetUtcNow().UtcDateTime);
        Since = null;
        Reason = null;
        _nextDelay = FirstRetry;
    }
}
