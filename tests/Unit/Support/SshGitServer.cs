using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Portal.Tests.Shared;

namespace Portal.Tests.Unit.Support;

/// <summary>
/// Git over SSH on loopback: Debian's sshd on a free port, with its own host key and one authorized client key, so
/// a clone works only with that key. The clone URL is <c>ssh://USER@127.0.0.1:PORT/path</c>.
/// </summary>
public sealed class SshGitServer : IAsyncDisposable
{
    public const string Sshd = "/usr/sbin/sshd";
    private readonly Process _process;
    private readonly TempDir _dir;

    private SshGitServer(Process process, TempDir dir, int port, string clientKey) => (_process, _dir, Port, ClientKey) = (process, dir, port, clientKey);

    public int Port { get; }
    /// <summary>The private key (OpenSSH format) the server accepts.</summary>
    public string ClientKey { get; }

    public string UrlOf(string repository) => $"ssh://{Environment.UserName}@127.0.0.1:{Port}{repository}";

    /// <summary>Skips (loudly) without sshd or root; in CI, where the test command installs it as root, fails instead.</summary>
    public static void Require()
    {
        string? why = !File.Exists(Sshd) ? $"SKIPPED: {Sshd} is missing (apt-get install openssh-server; scripts/test.sh does as root)."
            : Environment.UserName != "root" ? "SKIPPED: the SSH git test runs sshd for the root account; run the tests as root." : null;
        if (why is not null) TestEnvironment.Missing(why);
    }

    public static async Task<SshGitServer> StartAsync()
    {
        var dir = new TempDir();
        await TestEnvironment.RunAsync("ssh-keygen", null, "-q", "-t", "ed25519", "-N", "", "-f", Path.Combine(dir.Path, "host_key"));
        await TestEnvironment.RunAsync("ssh-keygen", null, "-q", "-t", "ed25519", "-N", "", "-C", "portal-test", "-f", Path.Combine(dir.Path, "client_key"));
        File.Copy(Path.Combine(dir.Path, "client_key.pub"), Path.Combine(dir.Path, "authorized_keys"));
        Directory.CreateDirectory("/run/sshd"); // sshd's privilege separation directory
        var port = TestEnvironment.FreePort();
        var config = dir.File("sshd_config", $"""
            Port {port}
            ListenAddress 127.0.0.1
            HostKey {dir.Path}/host_key
            PidFile {dir.Path}/sshd.pid
            AuthorizedKeysFile {dir.Path}/authorized_keys
            StrictModes no
            UsePAM no
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            PubkeyAuthentication yes
            PermitRootLogin prohibit-password
            """);
        var process = Process.Start(new ProcessStartInfo(Sshd, ["-D", "-e", "-f", config]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var server = new SshGitServer(process, dir, port, File.ReadAllText(Path.Combine(dir.Path, "client_key")));
        await TestEnvironment.WaitForListenerAsync(process, port);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        _dir.Dispose();
    }
}
