using Cronos;
using Portal.Core.Errors;

namespace Portal.Core.Schedules;

/// <summary>A schedule's cron expression (five fields, Cronos's standard format) and time zone, checked with what to fix.</summary>
public static class ScheduleCron
{
    public static CronExpression Parse(string cron) => CronExpression.Parse(cron.Trim(), CronFormat.Standard);

    public static TimeZoneInfo Zone(string id) => id is "" or "UTC" ? TimeZoneInfo.Utc : TimeZoneInfo.FindSystemTimeZoneById(id);

    /// <summary>Adds what is wrong with <paramref name="cron"/> and <paramref name="zone"/> to <paramref name="errors"/>.</summary>
    public static void Check(ValidationErrors errors, string? cron, string? zone)
    {
        if (string.IsNullOrWhiteSpace(cron)) errors.Add("cron", "Give a cron schedule of five fields, e.g. '0 3 * * *' for every night at 03:00.");
        else
        {
            try { Parse(cron); }
            catch (CronFormatException e)
            {
                errors.Add("cron", $"'{cron.Trim()}' is not a cron schedule: {e.Message.TrimEnd('.')}. Use five fields (minute hour day month weekday), e.g. '0 3 * * *'.");
            }
        }
        if (!string.IsNullOrWhiteSpace(zone))
        {
            try { Zone(zone.Trim()); }
            catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
            {
                errors.Add("time_zone", $"'{zone.Trim()}' is not a time zone; use an IANA name such as Europe/Oslo, or UTC.");
            }
        }
    }
}
