using MudBlazor;

namespace Portal.Web.Components.Layout;

/// <summary>The console's one theme: a light and a dark palette of the same hues, and the typography of every page.</summary>
public static class PortalTheme
{
    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#3949ab", Secondary = "#00695c", AppbarBackground = "#283593", AppbarText = "#ffffff",
            Background = "#f6f7fb", Surface = "#ffffff", DrawerBackground = "#ffffff", TextSecondary = "#5f6368",
            Error = "#b3261e", Success = "#2e7d32", Warning = "#a15c00", Info = "#0277bd",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#9fa8da", Secondary = "#80cbc4", AppbarBackground = "#1a1d2e", AppbarText = "#e8eaf6",
            Background = "#121420", Surface = "#1c1f2e", DrawerBackground = "#181a28", TextPrimary = "#e8eaf6", TextSecondary = "#b0b4c8",
            Error = "#f2b8b5", Success = "#81c784", Warning = "#ffb74d", Info = "#81d4fa",
        },
        LayoutProperties = new LayoutProperties { DefaultBorderRadius = "6px", DrawerWidthLeft = "240px" },
    };
}
