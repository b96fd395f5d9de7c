using MudBlazor;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Components;
using Portal.Core.Containers;
using Portal.Core.Deployments;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Notifications;
using Portal.Core.Services;
using Portal.Web.Auth;
using Portal.Web.Components.Shared;
using Portal.Web.Router;

namespace Portal.Web.Features.Deployments;

/// <summary>
/// One deployment: its replicas as the manager reports them (pushed by the manager's watch), scaling, rolling to another
/// version, a console that invokes the model through the router's own code, and the requests it served (pushed by the
/// recorder).
/// </summary>
public sealed partial class DeploymentDetailPage
{
    [Parameter] public string Name { get; set; } = "";

    [Inject] private PageAccess Access { get; set; } = default!;
    [Inject] private DeploymentService Deployments { get; set; } = default!;
    [Inject] private ModelVersionService Versions { get; set; } = default!;
    [Inject] private PredictionHistory Predictions { get; set; } = default!;
    [Inject] private ChangeFeed<PredictionRecord> Recorded { get; set; } = default!;
    [Inject] private ChangeFeed<Deployment> Saved { get; set; } = default!;
    [Inject] private ModelInvoker Invoker { get; set; } = default!;
    [Inject] private IDialogService Dialogs { get; set; } = default!;
    [Inject] private ISnackbar Notifications { get; set; } = default!;
    [Inject] private NavigationManager Nav { get; set; } = default!;

    private const string FallbackExample = "{\"columns\": [\"x\"], \"data\": [[0]]}";
    private readonly FormErrors _errors = new FormErrors().Fields("replicas", "model_version", "idle_minutes");
    private Deployment? _deployment;
    private IReadOnlyList<Replica> _replicas = [];
    /// <summary>Since when the engine has not answered; the replicas shown are the last it reported.</summary>
    private DateTime? _unreachableSince;
    private IReadOnlyList<PredictionRecord> _recent = [];
    private List<string> _candidates = [];
    private bool _notFound, _busy, _sending;
    private int _running, _scaleTo = 1;
    private double? _idleMinutes;
    private PredictionStats _stats = PredictionStats.Of([]);
    private string? _switchTo, _answerId;
    private ConsoleAnswer? _answer;
    private string _payload = "";
    private int? _answerStatus;
    private int _fillingExample;
    private long _answerMs;
    private IDisposable? _saved, _served;
    private CancellationTokenSource? _watch;
    private int _refreshingRequests;

    protected override async Task OnParametersSetAsync()
    {
        try
        {
            _deployment = await Deployments.GetAsync(Name, Aborted);
            _scaleTo = _deployment.Replicas;
            _idleMinutes = _deployment.IdleMinutes;
            var models = _deployment.ModelVersion?.Model is { } m ? new[] { m.Name } : [];
            _candidates = (await Versions.ListForModelsAsync(models, 200, Aborted))
                .Where(v => v.IsIn(_deployment.Environment, Versions.EntryEnvironment) && v.Id != _deployment.ModelVersionId)
                .Select(v => $"{v.Model!.Name}/{v.Name}").ToList();
            await RefreshRequestsAsync();
            await RefreshReplicasAsync();
            _payload = await ExampleAsync();
            if (_payload == FallbackExample && _running > 0) _ = FillExampleAsync();
            var id = _deployment.Id;
            _saved ??= Saved.Subscribe(d => d.Id == id, d => InvokeAsync(async () =>
            {
                var workloadChanged = d.WorkloadId != _deployment?.WorkloadId || d.Replicas != _deployment?.Replicas;
                _deployment = d;
                if (workloadChanged) WatchReplicas();
                StateHasChanged();
                await Task.CompletedTask;
            }));
            _served ??= Recorded.Subscribe(r => r.DeploymentId == id, _ => InvokeAsync(RefreshRequestsAsync));
            WatchReplicas();
        }
        catch (NotFoundException) { _notFound = true; }
    }

    /// <summary>Follows the workload's status through the manager's watch; each change brings the replicas' list up to date.</summary>
    private void WatchReplicas()
    {
        _watch?.Cancel();
        _watch = CancellationTokenSource.CreateLinkedTokenSource(Aborted);
        var token = _watch.Token;
        var deployment = _deployment;
        if (deployment is null) return;
        // The page keeps the last replicas it saw, marked, while the engine cannot be reached.
        _ = Task.Run(() => EngineWatch.FollowAsync(t => Deployments.WatchAsync(deployment, t), async changed =>
        {
            await InvokeAsync(async () =>
            {
                await RefreshReplicasAsync();
                // The model says its input columns once a replica serves it.
                if (_running > 0 && _payload == FallbackExample) _ = FillExampleAsync();
                StateHasChanged();
            });
            return false;
        }, since => InvokeAsync(() =>
        {
            _unreachableSince = since;
            StateHasChanged();
        }), token), CancellationToken.None);
    }

    private async Task RefreshReplicasAsync()
    {
        if (_deployment is null) return;
        try
        {
            _replicas = await Deployments.ReplicasAsync(_deployment, Aborted);
            _unreachableSince = null;
        }
        catch (EngineUnreachableException) { _unreachableSince ??= DateTime.UtcNow; }
        catch (ContainerManagerException) { _replicas = []; }
        _running = _replicas.Count(r => r.State == WorkloadState.Running);
    }

    /// <summary>Reloads the recent requests once at a time, however many arrive meanwhile.</summary>
    private async Task RefreshRequestsAsync()
    {
        if (_deployment is null || Interlocked.Exchange(ref _refreshingRequests, 1) == 1) return;
        try
        {
            _recent = await Predictions.RecentAsync(_deployment, 200, Aborted);
            _stats = PredictionStats.Of(_recent);
            StateHasChanged();
        }
        finally { Volatile.Write(ref _refreshingRequests, 0); }
    }

    /// <summary>A request body shaped by the model's declared input columns, when the server says them.</summary>
    private async Task<string> ExampleAsync()
    {
        var info = await Invoker.InvokeAsync(new ModelRequest(Name, "GET", DeploymentLinks.InfoPath, "", [], null, null), Aborted);
        try
        {
            if (info is { FromModel: true, Status: 200 } && JsonDocument.Parse(info.Body).RootElement.TryGetProperty("input", out var input)
                && input.ValueKind == JsonValueKind.Array)
                return $"{{\"columns\": {input.GetRawText()}, \"data\": [[{string.Join(", ", input.EnumerateArray().Select(_ => "0"))}]]}}";
        }
        catch (JsonException) { }
        return FallbackExample;
    }

    /// <summary>
    /// A replica reports running before its model server has loaded the model: ask for the model's columns again every two
    /// seconds for a minute, until it says them or the user has typed a body of their own.
    /// </summary>
    private async Task FillExampleAsync()
    {
        if (Interlocked.Exchange(ref _fillingExample, 1) == 1) return;
        try
        {
            for (var attempt = 0; attempt < 30 && _payload == FallbackExample && _running > 0; attempt++)
            {
                var example = await ExampleAsync();
                if (example != FallbackExample)
                {
                    if (_payload == FallbackExample) _payload = example;
                    StateHasChanged();
                    return;
                }
                await Task.Delay(TimeSpan.FromSeconds(2), Aborted);
            }
        }
        catch (OperationCanceledException) { }
        finally { Volatile.Write(ref _fillingExample, 0); }
    }

    private async Task SendAsync()
    {
        if (!await Access.AllowWorkAsync("invoke a model", $"deployment {Name}")) return;
        _sending = true;
        try
        {
            var started = Stopwatch.StartNew();
            var answer = await Invoker.InvokeAsync(new ModelRequest(Name, "POST", DeploymentLinks.InvokePath, "", Encoding.UTF8.GetBytes(_payload), "application/json", null), Aborted);
            _answerMs = started.ElapsedMilliseconds;
            (_answerStatus, _answerId) = (answer.Status, answer.RequestId);
            _answer = ConsoleAnswer.From(answer.Status, answer.Body);
        }
        finally { _sending = false; }
    }

    private async Task ScaleToAsync(int replicas)
    {
        if (!await Access.AllowWorkAsync("scale a deployment", $"deployment {Name}")) return;
        _errors.Clear();
        _busy = true;
        try
        {
            _deployment = await Deployments.ScaleAsync(Name, replicas, Aborted);
            _scaleTo = replicas;
            Notifications.Notify(Severity.Success, replicas == 0 ? "Stopped" : "Scaling",
                replicas == 0 ? $"{Name} serves no more; scale up to start it again." : $"{Name} to {replicas} replicas.");
        }
        catch (PortalException e) { _errors.Set(e); }
        finally { _busy = false; }
    }

    private async Task SetIdleAsync()
    {
        if (!await Access.AllowWorkAsync("change a deployment's scale to zero", $"deployment {Name}")) return;
        _errors.Clear();
        _busy = true;
        try
        {
            _deployment = await Deployments.SetIdleAsync(Name, _idleMinutes, Aborted);
            Notifications.Notify(Severity.Success, _idleMinutes is null ? "Scale to zero off" : "Scale to zero on",
                _idleMinutes is { } m ? $"{Name} stops after {m:0.##} minutes without a request; the next one starts it." : $"{Name} stays up.");
        }
        catch (PortalException e) { _errors.Set(e); }
        finally { _busy = false; }
    }

    private async Task SwitchAsync()
    {
        if (!await Access.AllowWorkAsync("switch a deployment's version", $"deployment {Name}")) return;
        if (_switchTo is null) return;
        _errors.Clear();
        _busy = true;
        try
        {
            _deployment = await Deployments.SwitchVersionAsync(Name, _switchTo, Aborted);
            Notifications.Notify(Severity.Success, "Rolling", $"{Name} to {_switchTo}, one replica at a time.");
            _switchTo = null;
        }
        catch (PortalException e) { _errors.Set(e); }
        finally { _busy = false; }
    }

    private async Task RemoveAsync()
    {
        if (!await Access.AllowWorkAsync("remove a deployment", $"deployment {Name}")) return;
        if (await Dialogs.ConfirmAndDeleteAsync(Notifications, $"the deployment '{Name}'",
                () => Task.FromResult<IEnumerable<string>>([$"its {_running} running replica(s) and its {_recent.Count} recorded request(s)"]),
                () => Deployments.DeleteAsync(Name, Aborted)))
            Nav.NavigateTo("/deployments");
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _saved?.Dispose();
            _served?.Dispose();
            _watch?.Cancel();
            _watch?.Dispose();
        }
        base.Dispose(disposing);
    }

    private void AlertChanged(Deployment saved) => _deployment = saved;
}
