using Portal.Web.Components.Shared;
using Microsoft.AspNetCore.Components;
using Portal.Core.Containers;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Ide;
using Portal.Core.Notifications;
using Portal.Web.Auth;
using Portal.Web.Ide;

namespace Portal.Web.Features.Ide;

/// <summary>
/// One IDE session: Jupyter in a frame once it answers, its output while it starts. The session's record is pushed by its
/// service; readiness comes from the manager's watch of the workload, then Jupyter's own answer through the proxy.
/// </summary>
public sealed partial class IdeSessionPage
{
    private static readonly TimeSpan JupyterRetry = TimeSpan.FromMilliseconds(500);

    [Parameter] public string Name { get; set; } = "";
    [SupplyParameterFromQuery] public string? User { get; set; }

    [Inject] private IdeService Ide { get; set; } = default!;
    [Inject] private ChangeFeed<IdeSession> Changes { get; set; } = default!;
    [Inject] private JupyterStatus Jupyter { get; set; } = default!;
    [Inject] private PageUser CurrentUser { get; set; } = default!;

    private IdeSession? _session;
    private bool _notFound, _ready;
    /// <summary>Since when the engine has not answered while the page waits for the session's server.</summary>
    private DateTime? _unreachableSince;
    private IDisposable? _changes;
    private CancellationTokenSource? _waiting;

    protected override async Task OnParametersSetAsync()
    {
        _changes?.Dispose();
        try
        {
            var owner = await OwnerAsync();
            _changes = Changes.Subscribe(s => s.User == owner && s.Name == Name, changed => InvokeAsync(() =>
            {
                var restarted = changed.WorkloadId != _session?.WorkloadId;
                _session = changed;
                if (restarted) WaitUntilReady();
                StateHasChanged();
            }));
            _session = await Ide.GetAsync(owner, Name, Aborted);
            WaitUntilReady();
        }
        catch (Exception e) when (e is NotFoundException or AccessDeniedException) { _notFound = true; }
    }

    /// <summary>Ready once the workload runs and Jupyter answers through the proxy, so the frame never shows a 503.</summary>
    private void WaitUntilReady()
    {
        _waiting?.Cancel();
        _ready = false;
        if (_session is not { Task.State: TaskState.Running } session) return;
        _waiting = CancellationTokenSource.CreateLinkedTokenSource(Aborted);
        var ct = _waiting.Token;
        _ = Task.Run(() => EngineWatch.FollowAsync(t => Ide.WatchAsync(session, t), async status =>
        {
            if (status.State != WorkloadState.Running) return false;
            // A process reports running before its server listens: ask Jupyter until it answers.
            while (await Jupyter.GetAsync(session, ct) is null) await Task.Delay(JupyterRetry, ct);
            await InvokeAsync(() =>
            {
                _ready = true;
                StateHasChanged();
            });
            return true;
        }, since => InvokeAsync(() =>
        {
            _unreachableSince = since;
            StateHasChanged();
        }), ct), CancellationToken.None);
    }

    private async Task StopAsync()
    {
        var owner = await OwnerAsync();
        var me = await CurrentUser.NameAsync();
        _ready = false;
        _session = await Ide.StopAsync(owner, Name, owner == me ? "Stopped by its user." : $"Stopped by the admin {me}.", Aborted);
    }

    private async Task RestartAsync()
    {
        _ready = false;
        _session = await Ide.RestartAsync(await OwnerAsync(), Name, Aborted);
        WaitUntilReady();
    }

    /// <summary>The session's owner: the signed-in user, or (admins only) the user named in ?user=.</summary>
    private async Task<string> OwnerAsync()
    {
        var me = await CurrentUser.NameAsync();
        if (string.IsNullOrEmpty(User) || User == me) return me;
        return await CurrentUser.HasAsync(Portal.Core.Security.Roles.Admin) ? User
            : throw new AccessDeniedException("Only admins may open another user's session.");
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _changes?.Dispose();
            _waiting?.Cancel();
            _waiting?.Dispose();
        }
        base.Dispose(disposing);
    }
}
