namespace Portal.Web.Features.Sweeps;

public static class SweepLinks
{
    public static string Page(string project, string name) => $"/sweeps/{Uri.EscapeDataString(project)}/{Uri.EscapeDataString(name)}";
}
