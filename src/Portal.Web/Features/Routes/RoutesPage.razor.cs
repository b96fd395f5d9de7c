using Microsoft.AspNetCore.Components;
using MudBlazor;
using Portal.Core.Deployments;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Routes;
using Portal.Core.Stores;
using Portal.Web.Components.Shared;

namespace Portal.Web.Features.Routes;

/// <summary>The logic of <c>RoutesPage.razor</c>: routes with their live traffic, a form to create one or change its weights.</summary>
public sealed partial class RoutesPage
{
    public const int WindowMinutes = 5;
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(3);

    [Inject] private RouteService Routes { get; set; } = default!;
    [Inject] private DeploymentService Deployments { get; set; } = default!;
    [Inject] private IDialogService Dialogs { get; set; } = default!;
    [Inject] private ISnackbar Notifications { get; set; } = default!;

    private sealed record RouteView(ModelRoute Route, IReadOnlyList<TargetTraffic> Traffic);

    private sealed class TargetForm
    {
        public string? Deployment { get; set; }
        public int Weight { get; set; }
    }

    private sealed class RouteForm
    {
        public bool IsNew { get; init; }
        public string Name { get; set; } = "";
        public List<TargetForm> Targets { get; init; } = [];
        public string? Shadow { get; set; }
        public string? StickyHeader { get; set; }
        public string? StickyKey { get; set; }
    }

    private const string NameField = "name", ShadowField = "shadow", StickyField = "sticky_header", StickyKeyField = "sticky_key";

    private static string TargetField(int i, string part) => $"targets[{i}].{part}";

    private static string TargetId(int i, string part) => $"target-{i}-{part}";

    private readonly FormErrors _errors = new FormErrors().Fields("name", "targets*", "shadow", "sticky_header", "sticky_key");
    private List<RouteView>? _routes;
    private List<string> _deployments = [];
    private RouteForm? _editing;
    private bool _saving;

    protected override async Task OnInitializedAsync()
    {
        await LoadAsync();
        RefreshEvery(Every, LoadAsync);
    }

    private async Task LoadAsync()
    {
        var routes = await Routes.ListAsync(Aborted);
        var traffic = await Routes.TrafficAsync(routes, TimeSpan.FromMinutes(WindowMinutes), Aborted);
        _routes = [.. routes.Select(r => new RouteView(r, traffic[r.Name]))];
    }

    private async Task LoadDeploymentsAsync() =>
        _deployments = [.. (await Deployments.ListAsync(new PageRequest(Take: PageRequest.MaxTake, SortBy: "name"), Aborted)).Items.Select(d => d.Name)];

    private async Task NewRoute()
    {
        await LoadDeploymentsAsync();
        _errors.Clear();
        _editing = new RouteForm { IsNew = true, Targets = [new TargetForm { Weight = 90 }, new TargetForm { Weight = 10 }] };
    }

    private async Task Edit(ModelRoute route)
    {
        await LoadDeploymentsAsync();
        _errors.Clear();
        _editing = new RouteForm
        {
            Name = route.Name, Shadow = route.Shadow, StickyHeader = route.StickyHeader, StickyKey = route.StickyKey,
            Targets = [.. route.Targets.Select(t => new TargetForm { Deployment = t.Deployment, Weight = t.Weight })],
        };
    }

    private void Cancel() => _editing = null;

    private void AddTarget() => _editing?.Targets.Add(new TargetForm());

    private void RemoveTarget(int i) => _editing?.Targets.RemoveAt(i);

    private async Task SaveAsync()
    {
        if (_editing is not { } form) return;
        _saving = true;
        try
        {
            var input = new RouteInput(form.Name, [.. form.Targets.Select(t => new RouteTarget(t.Deployment ?? "", t.Weight))], form.Shadow, form.StickyHeader, form.StickyKey);
            var saved = form.IsNew ? await Routes.CreateAsync(input, Aborted) : await Routes.UpdateAsync(form.Name, input, Aborted);
            Notifications.Notify(Severity.Success, form.IsNew ? "Route created" : "Weights saved",
                $"/model/{saved.Name} now sends {string.Join(", ", saved.Targets.Select(t => $"{t.Weight} % to {t.Deployment}"))}.");
            _editing = null;
            await LoadAsync();
        }
        catch (PortalException e) { _errors.Set(e); }
        finally { _saving = false; }
    }

    private async Task DeleteAsync(ModelRoute route)
    {
        if (await Dialogs.ConfirmAndDeleteAsync(Notifications, $"the route '{route.Name}'",
                () => Task.FromResult<IEnumerable<string>>([$"/model/{route.Name}: its callers get 404 (the deployments keep serving under their own names)"]),
                () => Routes.DeleteAsync(route.Name, Aborted)))
            await LoadAsync();
    }

}
