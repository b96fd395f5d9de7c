using Portal.Core.Schedules;

namespace Portal.Web.Hosting;

/// <summary>Gives the schedule runner the portal's lifetime.</summary>
public sealed class ScheduleHost(ScheduleRunner runner) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => runner.RunAsync(stoppingToken);
}
