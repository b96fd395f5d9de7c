using System.Globalization;

namespace Portal.Web.Features.Dashboards;

/// <summary>Seconds as people read them on a dashboard: 42 s, 3 m 05 s, 2 h 10 m.</summary>
public static class DurationText
{
    public static string Of(double? seconds)
    {
        if (seconds is not { } s) return "–";
        var t = TimeSpan.FromSeconds(Math.Round(s));
        return t.TotalSeconds < 60 ? string.Create(CultureInfo.InvariantCulture, $"{s:0.#} s")
            : t.TotalHours < 1 ? $"{t.Minutes} m {t.Seconds:00} s"
            : $"{(int)t.TotalHours} h {t.Minutes:00} m";
    }

    public static string Percent(double? rate) => rate is { } r ? (r * 100).ToString("0.#", CultureInfo.InvariantCulture) + " %" : "–";
}
