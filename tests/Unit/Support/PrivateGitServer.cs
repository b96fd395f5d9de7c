using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;

namespace Portal.Tests.Unit.Support;

/// <summary>
/// A private git repository over HTTP on loopback: git's "dumb" HTTP protocol (the bare repository's files, after
/// <c>git update-server-info</c>) behind HTTP Basic authentication, so a clone succeeds only with the right token.
/// </summary>
public sealed class PrivateGitServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private PrivateGitServer(WebApplication app, string url) => (_app, Url) = (app, url);

    /// <summary>The clone URL of the repository.</summary>
    public string Url { get; }

    public static async Task<PrivateGitServer> StartAsync(string bareRepository, string user, string token)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{token}"));
        app.Use(async (context, next) =>
        {
            if (context.Request.Headers.Authorization.ToString() != expected)
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                context.Response.Headers.WWWAuthenticate = "Basic realm=\"private\"";
                return;
            }
            await next(context);
        });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = new PhysicalFileProvider(bareRepository),
            RequestPath = "/repo.git",
            ServeUnknownFileTypes = true,
            DefaultContentType = "application/octet-stream",
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new PrivateGitServer(app, $"{address}/repo.git");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
