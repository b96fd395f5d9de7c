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

    /// <summary>Runs a program to its end; returns what it printed, or throws with its error output.</summary>
    public static async Task<string> RunAsync(string file, string? input, params string[] args)
    {
        using var p = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(file, args)
        {
            RedirectStandardError = true, RedirectStandardOutput = true, RedirectStandardInput = true,
        })!;
        if (input is not null) await p.StandardInput.WriteAsync(input);
        p.StandardInput.Close();
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed: {await error}");
        return await output;
    }

    /// <summary>Waits (10 s at most) until <paramref name="server"/> accepts connections on <paramref name="port"/>.</summary>
    public static async Task WaitForListenerAsync(System.Diagnostics.Process server, int port)
    {
        for (var i = 0; i < 100; i++)
        {
            if (server.HasExited) throw new InvalidOperationException($"{server.StartInfo.FileName} exited: {await server.StandardError.ReadToEndAsync()}");
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) { await Task.Delay(100); }
        }
        throw new TimeoutException($"{server.StartInfo.FileName} did not listen on port {port} within 10 s.");
    }

    /// <summary>A loopback port nobody listens on now, for a server whose address must be known before it starts.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
