using System.Net;
using System.Net.Sockets;

namespace Portal.Tests.Shared;

/// <summary>What tests need from the machine: a free port, and a loud skip (a failure in CI) when a tool is missing.</summary>
public static class TestEnvironment
{
    /// <summary>Skips the calling test with <paramref name="why"/> (it starts with "SKIPPED:"); under CI=true, where the test command installs everything, fails it instead.</summary>
    public static void Missing(string why)
    {
        if (Environment.GetEnvironmentVariable("CI") == "true") throw new InvalidOperationException(why.Replace("SKIPPED", "CANNOT RUN"));
        Xunit.Skip.If(true, why);
    }

    /// <summary>A loopback port nobody listens on now, for a server whose address must be known before it starts.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
