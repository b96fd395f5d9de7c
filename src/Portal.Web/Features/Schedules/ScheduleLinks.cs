namespace Portal.Web.Features.Schedules;

public static class ScheduleLinks
{
    public static string Page(string project, string name) => $"/schedules/{Uri.EscapeDataString(project)}/{Uri.EscapeDataString(name)}";
}
