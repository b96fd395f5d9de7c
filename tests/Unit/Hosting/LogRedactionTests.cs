using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Portal.Tests.Unit.Support;

namespace Portal.Tests.Unit.Hosting;

/// <summary>
/// Secrets never reach the log: SignalR clients send a token as <c>access_token</c> in the query (browsers' websockets
/// cannot send headers), API callers send it in Authorization. The portal's real logging pipeline writes every line
/// here, as it would to the console.
/// </summary>
public sealed class LogRedactionTests
{
    private sealed class Capture : ILoggerProvider
    {
        public ConcurrentQueue<string> Lines { get; } = new();
        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, Lines);
        public void Dispose() { }

        private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => true;
            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue($"{category}: {formatter(state, exception)} {exception}");
        }
    }

    [Fact]
    public async Task Tokens_in_the_query_or_the_authorization_header_are_not_logged_and_requests_still_are()
    {
        var capture = new Capture();
        using var app = new PortalAppFactory();
        using var logged = app.WithWebHostBuilder(b => b.ConfigureLogging(l => l.AddProvider(capture)));
        var token = await TestIdentities.TokenAsync(logged.Services, "dana", Portal.Core.Security.Roles.DataScientist);
        using var http = logged.CreateClient();

        (await http.PostAsync($"/hubs/logs/negotiate?negotiateVersion=1&access_token={Uri.EscapeDataString(token)}", null)).EnsureSuccessStatusCode();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me");
        request.Headers.Authorization = new("Bearer", token);
        (await http.SendAsync(request)).EnsureSuccessStatusCode();
        await http.GetAsync($"/api/v1/projects?access_token={Uri.EscapeDataString(token)}");

        var lines = capture.Lines.ToArray();
        Assert.DoesNotContain(lines, l => l.Contains(token, StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("access_token", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("/hubs/logs/negotiate", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("/api/v1/me", StringComparison.Ordinal));
    }

    [Fact]
    public async Task On_local_processes_the_start_up_log_says_what_is_not_isolated()
    {
        var capture = new Capture();
        using var app = new PortalAppFactory();
        using var logged = app.WithWebHostBuilder(b => b.ConfigureLogging(l => l.AddProvider(capture)));
        using var http = logged.CreateClient();
        await http.GetAsync("/healthz");
        Assert.Contains(capture.Lines, l => l.Contains("users can read each other's workspaces", StringComparison.Ordinal)
            && l.Contains("use swarm or kube before inviting users", StringComparison.Ordinal));
        // The tests run as root: user code then runs as the unprivileged account, and the log says which.
        if (Environment.IsPrivilegedProcess) Assert.Contains(capture.Lines, l => l.Contains("Local user code runs as 'portal-work'", StringComparison.Ordinal));
    }
}
