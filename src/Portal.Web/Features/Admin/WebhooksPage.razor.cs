using Microsoft.AspNetCore.Components;
using MudBlazor;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Stores;
using Portal.Core.Webhooks;
using Portal.Web.Components.Shared;

namespace Portal.Web.Features.Admin;

/// <summary>The logic of <c>WebhooksPage.razor</c>: register, ping, turn off and remove webhooks; each one's last deliveries, refreshed.</summary>
public sealed partial class WebhooksPage
{
    private const int Shown = 20;
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(5);

    [Inject] private WebhookService Webhooks { get; set; } = default!;
    [Inject] private IDialogService Dialogs { get; set; } = default!;
    [Inject] private ISnackbar Notifications { get; set; } = default!;

    private readonly FormErrors _errors = new FormErrors().Fields("name", "url", "events");
    private IReadOnlyList<Webhook>? _hooks;
    private Dictionary<long, IReadOnlyList<WebhookDelivery>> _deliveries = [];
    private string _name = "", _url = "";
    private IReadOnlyCollection<string> _events = [];
    private string? _secret, _secretFor;
    private bool _busy;

    protected override async Task OnInitializedAsync()
    {
        await LoadAsync();
        RefreshEvery(Every, LoadAsync);
    }

    private async Task LoadAsync()
    {
        var hooks = await Webhooks.ListAsync(Aborted);
        var deliveries = new Dictionary<long, IReadOnlyList<WebhookDelivery>>();
        foreach (var hook in hooks) deliveries[hook.Id] = (await Webhooks.DeliveriesAsync(hook.Name, new PageRequest(Take: Shown), Aborted)).Items;
        (_hooks, _deliveries) = (hooks, deliveries);
    }

    private static string Cut(string? text) => text is null ? "" : text.Length <= 60 ? text : text[..60] + "…";

    private async Task CreateAsync()
    {
        _busy = true;
        _errors.Clear();
        try
        {
            var created = await Webhooks.CreateAsync(new WebhookInput(_name, _url, [.. _events]), Aborted);
            (_secret, _secretFor, _name, _url, _events) = (created.Secret, created.Webhook.Name, "", "", []);
            await LoadAsync();
        }
        catch (PortalException e) { _errors.Set(e); }
        finally { _busy = false; }
    }

    private async Task PingAsync(Webhook hook)
    {
        await Webhooks.PingAsync(hook.Name, Aborted);
        Notifications.Notify(Severity.Info, "Ping queued", $"'{hook.Name}' gets a ping event; its answer shows below.");
        await LoadAsync();
    }

    private async Task ToggleAsync(Webhook hook)
    {
        try
        {
            await Webhooks.UpdateAsync(hook.Name, new WebhookInput(hook.Name, hook.Url, hook.Events, !hook.Enabled), Aborted);
            await LoadAsync();
        }
        catch (PortalException e) { Notifications.Notify(Severity.Error, "Could not change the webhook", e.Message); }
    }

    private async Task DeleteAsync(Webhook hook)
    {
        if (await Dialogs.ConfirmAndDeleteAsync(Notifications, $"the webhook '{hook.Name}'",
                () => Task.FromResult<IEnumerable<string>>(["its list of deliveries; events stop going to " + hook.Url]),
                () => Webhooks.DeleteAsync(hook.Name, Aborted)))
            await LoadAsync();
    }

}
