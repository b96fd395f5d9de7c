using Portal.Core.Configuration;
using Portal.Core.Containers;
using Portal.Orchestration.Local;
using Portal.Tests.Unit.Support;

namespace Portal.Tests.Unit.Contracts;

/// <summary>The contract on local processes.</summary>
public sealed class LocalManagerContract : ContainerManagerContract, IDisposable
{
    private readonly TempDir _dir = new();

    protected override Task<IContainerManager> CreateAsync()
    {
        var config = new PortalConfig { Store = { DataDir = _dir.Path } };
        return Task.FromResult<IContainerManager>(new LocalProcessManager(config, PortalPaths.From(config, _dir.Path)));
    }

    protected override WorkloadSpec Shell(string script) => new() { Name = "contract", Image = "ignored", Command = ["/bin/sh", "-c", script] };

    protected override string UnknownId => "local-contract-00000000";

    public void Dispose() => _dir.Dispose();
}

/// <summary>The contract on plain containers of the real dockerd.</summary>
public sealed class DockerManagerContract : ContainerManagerContract
{
    protected override async Task<IContainerManager> CreateAsync()
    {
        await RealDocker.RequireAsync();
        await RealDocker.BusyboxAsync();
        return RealDocker.Manager(RealDocker.Client(), "docker");
    }

    protected override WorkloadSpec Shell(string script) => new()
    {
        Name = "contract", Image = RealDocker.BusyboxImage, Command = ["/bin/sh", "-c", script],
        Labels = new Dictionary<string, string> { [PortalLabels.Kind] = "contract" },
    };

    protected override string UnknownId => new('0', 64);
}

/// <summary>The contract on Docker Swarm services of the real dockerd in swarm mode.</summary>
public sealed class SwarmManagerContract : ContainerManagerContract, IDisposable
{
    private readonly TempDir _dir = new();

    protected override async Task<IContainerManager> CreateAsync()
    {
        await RealDocker.RequireAsync();
        await RealDocker.BusyboxAsync();
        return RealDocker.Manager(RealDocker.Client(), "swarm", _dir.Path);
    }

    protected override WorkloadSpec Shell(string script) => new()
    {
        Name = "contract", Image = RealDocker.BusyboxImage, Command = ["/bin/sh", "-c", script],
        Labels = new Dictionary<string, string> { [PortalLabels.Kind] = "contract" },
    };

    protected override string UnknownId => "portal-contract-nothing";

    public void Dispose() => _dir.Dispose();
}

/// <summary>The contract on the in-memory fake the fast tests use: it must behave as the real managers do.</summary>
public sealed class FakeManagerContract : ContainerManagerContract
{
    protected override Task<IContainerManager> CreateAsync() => Task.FromResult<IContainerManager>(new FakeContainerManager());

    protected override WorkloadSpec Shell(string script) => new() { Name = "contract", Image = "fake", Command = ["/bin/sh", "-c", script] };

    protected override string UnknownId => "fake-0";
}
