using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Lineage;
using Portal.Core.Notifications;
using Portal.Core.Stores;
using Portal.Web.Auth;
using Portal.Web.Components.Shared;
using Portal.Web.Features.Ide;
using Portal.Web.Features.Lineage;

namespace Portal.Web.Features.Lineage;

/// <summary>The logic of <c>LineagePage.razor</c>.</summary>
public sealed partial class LineagePage
{

    [Parameter] public string? Kind { get; set; }
    [Parameter] public string? Name { get; set; }
    [SupplyParameterFromQuery(Name = "depth")] public int? DepthQuery { get; set; }
    [SupplyParameterFromQuery(Name = "project")] public string? ProjectQuery { get; set; }
    [SupplyParameterFromQuery(Name = "model")] public string? ModelQuery { get; set; }
    [SupplyParameterFromQuery(Name = "from")] public DateTime? FromQuery { get; set; }
    [SupplyParameterFromQuery(Name = "to")] public DateTime? ToQuery { get; set; }

    private readonly FormErrors _errors = new();
    private string _kind = LineageKinds.Version;
    private string? _name, _project, _model;
    private int _depth = 2;
    private DateTime? _from, _to;
    private bool _loading, _drawn = true, _expanding, _truncated, _pendingDraw;
    private LineageGraph? _graph;
    private readonly Dictionary<string, LineageNode> _nodes = [];
    // The table needs a new list to notice a merge.
    private List<LineageNode> _rows = [];
    private readonly HashSet<LineageEdge> _edges = [];
    private readonly Dictionary<string, int> _hidden = [];
    private readonly HashSet<string> _unexplored = [], _explored = [];
    private LineageNode? _selected;
    private ElementReference _canvas;
    private DotNetObjectReference<LineagePage>? _self;
    private IReadOnlyList<string> _recentDeployments = [], _recentVersions = [];

    private LineageNode? Root => _graph is null ? null : _nodes.GetValueOrDefault(_graph.Root);

    protected override async Task OnParametersSetAsync()
    {
        _errors.Clear();
        _graph = null;
        _selected = null;
        if (Kind is null)
        {
            _recentDeployments = (await Deployments.ListAsync(new PageRequest(0, 5), Aborted)).Items.Select(d => d.Name).ToList();
            _recentVersions = (await Versions.ListAsync(null, new PageRequest(0, 5), Aborted)).Items.Select(v => $"{v.Model!.Name}/{v.Name}").ToList();
            return;
        }
        (_kind, _name, _depth, _project, _model, _from, _to) = (Kind, Name, DepthQuery ?? 2, ProjectQuery, ModelQuery, FromQuery, ToQuery);
        _loading = true;
        try
        {
            var graph = await Lineage.GetAsync(new LineageQuery(Kind, Name ?? "", _depth, Filter: CurrentFilter()), Aborted);
            _nodes.Clear(); _edges.Clear(); _hidden.Clear(); _unexplored.Clear(); _explored.Clear();
            Merge(graph);
            _graph = graph;
            _truncated = graph.Truncated;
            _selected = _nodes[graph.Root];
            _pendingDraw = true;
        }
        catch (PortalException e) { _errors.Set(e); }
        finally { _loading = false; }
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!_pendingDraw || _graph is null) return;
        _pendingDraw = false;
        _self ??= DotNetObjectReference.Create(this);
        _drawn = await JS.InvokeAsync<bool>("portalLineage.render", _canvas, Snapshot(_graph.Root), _self);
        if (!_drawn) StateHasChanged();
    }

    private LineageFilter CurrentFilter() => new(Blank(_project), Blank(_model),
        _from is { } f ? DateTime.SpecifyKind(f.Date, DateTimeKind.Utc) : null,
        _to is { } t ? DateTime.SpecifyKind(t.Date.AddDays(1), DateTimeKind.Utc) : null);

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    private string FilterQuery()
    {
        var parts = new List<string>();
        if (_depth != 2) parts.Add($"depth={_depth}");
        if (Blank(_project) is { } p) parts.Add($"project={Uri.EscapeDataString(p)}");
        if (Blank(_model) is { } m) parts.Add($"model={Uri.EscapeDataString(m)}");
        if (_from is { } f) parts.Add($"from={f:yyyy-MM-dd}");
        if (_to is { } t) parts.Add($"to={t:yyyy-MM-dd}");
        return parts.Count == 0 ? "" : "?" + string.Join('&', parts);
    }

    private void SubmitAsync()
    {
        _errors.Clear();
        if (string.IsNullOrWhiteSpace(_name))
        {
            _errors.Set(new ValidationFailedException("name", $"Name the {_kind} to start from, written as {LineageKinds.NameShape(_kind)}."));
            return;
        }
        Nav.NavigateTo(LineageLinks.Page(_kind, _name.Trim()) + FilterQuery());
    }

    /// <summary>Adds a neighbourhood to what is shown. A node the query expanded is explored: its "not shown" count is now known.</summary>
    private void Merge(LineageGraph graph)
    {
        foreach (var n in graph.Nodes) _nodes[n.Id] = n;
        foreach (var e in graph.Edges) _edges.Add(e);
        var unexplored = graph.Unexplored.ToHashSet();
        foreach (var n in graph.Nodes)
        {
            if (unexplored.Contains(n.Id))
            {
                if (!_explored.Contains(n.Id)) _unexplored.Add(n.Id);
                continue;
            }
            _explored.Add(n.Id);
            _unexplored.Remove(n.Id);
            if (graph.Hidden.TryGetValue(n.Id, out var count)) _hidden[n.Id] = count;
            else _hidden.Remove(n.Id);
        }
        _rows = [.. _nodes.Values.OrderBy(n => n.Kind).ThenByDescending(n => n.At)];
    }

    private object Snapshot(string root) => new
    {
        root,
        nodes = _nodes.Values,
        edges = _edges,
        hidden = _hidden,
    };

    private int? HiddenOf(string id) => _hidden.TryGetValue(id, out var h) ? h : null;
    private bool CanExpand(string id) => _unexplored.Contains(id) || HiddenOf(id) > 0;
    private int Incoming(string id) => _edges.Count(e => e.Target == id);
    private int Outgoing(string id) => _edges.Count(e => e.Source == id);
    private string NameOf(string id) => _nodes.TryGetValue(id, out var n) ? n.Name : id;

    [JSInvokable]
    public Task OnNodeSelected(string id) => InvokeAsync(() => SelectAsync(id));

    [JSInvokable]
    public Task OnNodeExpand(string id) => InvokeAsync(() => ExpandAsync(id));

    private async Task SelectAsync(string id)
    {
        if (!_nodes.TryGetValue(id, out var node)) return;
        _selected = node;
        StateHasChanged();
        if (_drawn) await JS.InvokeVoidAsync("portalLineage.focus", _canvas, id);
    }

    /// <summary>Fetches one more step around a node (with a larger limit when its neighbours were cut) and merges it in.</summary>
    private async Task ExpandAsync(string id)
    {
        if (!_nodes.TryGetValue(id, out var node) || _expanding) return;
        _expanding = true;
        StateHasChanged();
        try
        {
            var limit = HiddenOf(id) > 0 ? LineageQuery.MaxLimit : 25;
            var more = await Lineage.GetAsync(new LineageQuery(node.Kind, node.Name, 1, limit, CurrentFilter()), Aborted);
            Merge(more);
            if (_drawn) await JS.InvokeVoidAsync("portalLineage.merge", _canvas, Snapshot(_graph!.Root));
            _selected = _nodes[id];
        }
        catch (PortalException e) { _errors.Set(e); }
        finally { _expanding = false; StateHasChanged(); }
    }

    public async ValueTask DisposeAsync()
    {
        try { if (_graph is not null) await JS.InvokeVoidAsync("portalLineage.dispose", _canvas); }
        catch (JSDisconnectedException) { }
        _self?.Dispose();
        Dispose();
    }
}
