using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Portal.Core.Containers;
using Portal.Orchestration.Containers;
using Portal.Orchestration.Docker;
using Portal.Orchestration.Swarm;
using Portal.Tests.Unit.Support;

namespace Portal.Tests.Unit.Orchestration;

/// <summary>
/// What the portal decides rather than Docker.DotNet's defaults: the API version it asks for (none: the engine
/// answers in its own), refusing engines older than 1.41, and <c>container_manager.api_timeout</c> on every call.
/// The real dockerd here is 20.10 (API 1.41, the oldest the portal takes), so an older or a hanging engine is a
/// protocol double on a unix socket: a few lines of Kestrel that answer as dockerd does.
/// </summary>
public sealed class DockerEngineTests
{
    private sealed class EngineDouble : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly TempDir _dir;
        public ConcurrentQueue<string> Paths { get; } = new();
        public string Address { get; }

        private EngineDouble(WebApplication app, TempDir dir, string socket)
        {
            _app = app;
            _dir = dir;
            Address = $"unix:{socket}";
        }

        public static async Task<EngineDouble> StartAsync(string apiVersion, TimeSpan infoDelay)
        {
            var dir = new TempDir();
            var socket = Path.Combine(dir.Path, "docker.sock");
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.ConfigureKestrel(k => k.ListenUnixSocket(socket));
            builder.Logging.ClearProviders();
            var app = builder.Build();
            EngineDouble? self = null;
            app.Run(async context =>
            {
                self!.Paths.Enqueue(context.Request.Path);
                context.Response.ContentType = "application/json";
                if (context.Request.Path.Value!.EndsWith("/version", StringComparison.Ordinal))
                {
                    await context.Response.WriteAsync($$"""{"Version":"19.03.15","ApiVersion":"{{apiVersion}}","MinAPIVersion":"1.12"}""");
                    return;
                }
                await Task.Delay(infoDelay, context.RequestAborted);
                await context.Response.WriteAsync("""{"NCPU":2,"MemTotal":1073741824,"ServerVersion":"19.03.15","Swarm":{"LocalNodeState":"active","ControlAvailable":true}}""");
            });
            await app.StartAsync();
            return self = new EngineDouble(app, dir, socket);
        }

        public async ValueTask DisposeAsync()
        {
            await _app.DisposeAsync();
            _dir.Dispose();
        }
    }

    [Fact]
    public async Task Protocol_double_an_engine_older_than_api_1_41_is_refused_with_what_to_do_and_no_version_is_asked_for()
    {
        await using var engine = await EngineDouble.StartAsync("1.40", TimeSpan.Zero);
        using var docker = new DockerEngine(engine.Address, TimeSpan.FromSeconds(5));
        var health = await RealDocker.Manager(docker, "swarm").CheckAsync(CancellationToken.None);
        Assert.False(health.Ready);
        Assert.Contains("speaks API 1.40", health.Problems[0]);
        Assert.Contains("needs 1.41 or newer", health.Problems[0]);
        // Unversioned paths: the engine answers in its own version, never in one newer than it speaks.
        Assert.Equal("/version", Assert.Single(engine.Paths));
    }

    [Fact]
    public async Task Protocol_double_an_engine_that_does_not_answer_is_given_up_after_the_api_timeout()
    {
        await using var engine = await EngineDouble.StartAsync("1.41", TimeSpan.FromMinutes(5));
        using var docker = new DockerEngine(engine.Address, TimeSpan.FromSeconds(1));
        var started = DateTime.UtcNow;
        var health = await RealDocker.Manager(docker, "docker").CheckAsync(CancellationToken.None);
        Assert.False(health.Ready);
        Assert.Contains("did not answer within 1 s (container_manager.api_timeout)", health.Problems[0]);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(30), "the library's own timeout (100 s) must not decide");
        Assert.Equal(["/version", "/info"], engine.Paths);
    }

    [SkippableFact]
    public async Task The_real_engine_is_reached_unversioned_and_answers_in_its_own_api_version()
    {
        await RealDocker.RequireAsync();
        using var docker = RealDocker.Client();
        var health = await RealDocker.Manager(docker, "swarm").CheckAsync(CancellationToken.None);
        Assert.True(health.Ready, string.Join(" ", health.Problems));
        var version = await docker.CallAsync((c, t) => c.System.GetVersionAsync(t), CancellationToken.None);
        Assert.Contains($"(API {version.APIVersion})", health.Summary);
        Assert.True(Version.Parse(version.APIVersion) >= DockerEngine.MinApiVersion);
    }

    [Theory]
    [InlineData("unix:/var/run/docker.sock", "unix:///var/run/docker.sock")]
    [InlineData("unix:///var/run/docker.sock", "unix:///var/run/docker.sock")]
    [InlineData("tcp://10.0.0.5:2375", "tcp://10.0.0.5:2375/")]
    public void Daemon_addresses_as_portal_yaml_writes_them_reach_the_library(string configured, string endpoint) =>
        Assert.Equal(endpoint, DockerEngine.Endpoint(configured).ToString());

    [Fact]
    public void Engine_errors_name_what_to_do_and_keep_the_engine_words() =>
        Assert.Equal("Docker answered 500: boom", DockerEngine.Explain(System.Net.HttpStatusCode.InternalServerError, "boom"));

    [Theory]
    [InlineData("unix:/tmp/portal-no-engine-here.sock")]
    [InlineData("tcp://127.0.0.1:1")]
    public async Task An_engine_that_is_not_there_is_named_as_not_reachable(string address)
    {
        using var docker = new DockerEngine(address, TimeSpan.FromSeconds(5));
        var e = await Assert.ThrowsAsync<Portal.Core.Containers.EngineUnreachableException>(() => docker.InfoAsync(CancellationToken.None));
        Assert.Contains($"The Docker daemon at {address} is not reachable", e.Message);
    }
}
