using MudBlazor;
using Microsoft.AspNetCore.Components;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Ide;
using Portal.Web.Auth;
using Portal.Web.Components.Shared;
using Portal.Web.Features.Ide;

namespace Portal.Web.Features.Admin;

/// <summary>The logic of <c>IdeImagesPage.razor</c>.</summary>
public sealed partial class IdeImagesPage
{

    private sealed class Row
    {
        public string Name { get; set; } = "";
        public string Image { get; set; } = "";
        public string? Desc { get; set; }
    }

    private readonly FormErrors _errors = new();
    private List<Row> _rows = [];
    private PortalSetting? _saved;
    private Dictionary<string, bool> _present = [];

    protected override async Task OnInitializedAsync() => await LoadAsync();

    private async Task LoadAsync()
    {
        var (images, saved) = await Catalog.GetAsync(Aborted);
        _saved = saved;
        _rows = images.Select(i => new Row { Name = i.Name, Image = i.Image, Desc = i.Desc }).ToList();
        _present = [];
        foreach (var image in images.Select(i => i.Image).Distinct())
        {
            // Local processes have no engine: the column then says nothing rather than guessing.
            try { _present[image] = await Engine.ImageIdAsync(image, Aborted) is not null; }
            catch (Portal.Core.Containers.ContainerManagerException) { }
        }
    }

    private async Task SaveAsync()
    {
        _errors.Clear();
        try
        {
            await Catalog.SaveAsync(_rows.Select(r => new IdeImage(r.Name ?? "", r.Image ?? "", r.Desc)).ToList(), Aborted);
            Notifications.Notify(Severity.Success, "Saved", "New IDE sessions offer these images.");
            await LoadAsync();
        }
        catch (PortalException e) { _errors.Set(e); }
    }

    private async Task ResetAsync()
    {
        if (await Dialogs.ConfirmAsync("Drop the list saved here and offer portal.yaml's ide.images again?", "Use portal.yaml's list",
                "Use portal.yaml", "Keep mine") != true) return;
        try
        {
            await Catalog.ResetAsync(Aborted);
            await LoadAsync();
        }
        catch (PortalException e) { Notifications.Notify(Severity.Error, "Not changed", e.Message); }
    }
}
