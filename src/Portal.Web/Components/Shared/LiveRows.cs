using MudBlazor;
using Portal.Core.Notifications;
using Portal.Core.Stores;

namespace Portal.Web.Components.Shared;

/// <summary>
/// The rows a list page's grid shows, kept current from their owner's change feed: a shown row is replaced in place as it
/// changes (the page redraws), and a record not shown that <c>reloadOn</c> accepts (a new run) reloads the grid's page.
/// Every change is handled on the page's renderer, as the grid's own loads are.
/// </summary>
public sealed class LiveRows<T>(Func<T, long> idOf) : IDisposable where T : class
{
    private readonly Dictionary<long, T> _latest = [];
    private IDisposable? _subscription;

    /// <summary>The newest state of a shown row.</summary>
    public T Latest(T shown) => _latest.GetValueOrDefault(idOf(shown)) ?? shown;

    /// <summary>Remembers a freshly loaded page of rows and hands it to the grid.</summary>
    public GridData<T> Show(Page<T> page)
    {
        _latest.Clear();
        foreach (var item in page.Items) _latest[idOf(item)] = item;
        return page.ToGridData();
    }

    /// <param name="feed">The owner's change feed.</param>
    /// <param name="matches">Which records this page lists.</param>
    /// <param name="reloadOn">Which records not shown reload the grid.</param>
    /// <param name="invokeAsync">The page's <c>InvokeAsync</c>.</param>
    /// <param name="redraw">The page's <c>StateHasChanged</c>.</param>
    /// <param name="reload">Reloads the grid's page of rows.</param>
    public void Follow(ChangeFeed<T> feed, Func<T, bool> matches, Func<T, bool> reloadOn, Func<Func<Task>, Task> invokeAsync, Action redraw,
        Func<Task> reload) =>
        _subscription = feed.Subscribe(matches, changed => invokeAsync(async () =>
        {
            var id = idOf(changed);
            if (_latest.ContainsKey(id))
            {
                _latest[id] = changed;
                redraw();
            }
            else if (reloadOn(changed)) await reload();
        }));

    public void Dispose() => _subscription?.Dispose();
}
