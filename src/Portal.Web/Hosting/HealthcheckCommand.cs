namespace Portal.Web.Hosting;

/// <summary>
/// <c>Portal.Web healthcheck</c>: asks the running portal's <c>/healthz</c> and exits 0 when healthy. The image's
/// HEALTHCHECK uses it, since the image carries no curl.
/// </summary>
public static class HealthcheckCommand
{
    public const string Verb = "healthcheck";

    public static async Task<int> RunAsync(CancellationToken ct)
    {
        var url = (Environment.GetEnvironmentVariable("ASPNETCORE_URLS") ?? "http://127.0.0.1:5000").Split(';')[0]
            .Replace("0.0.0.0", "127.0.0.1").Replace("://+", "://127.0.0.1").Replace("://*", "://127.0.0.1").Replace("[::]", "127.0.0.1");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            using var response = await http.GetAsync($"{url.TrimEnd('/')}/healthz", ct);
            Console.WriteLine($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            Console.WriteLine($"unhealthy: {e.Message}");
            return 1;
        }
    }
}
