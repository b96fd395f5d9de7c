using System.Diagnostics;
using Portal.Core.Builds;
using Portal.Core.Containers;

namespace Portal.Orchestration.Builds;

/// <summary>
/// The git CLI (LibGit2Sharp's native package is not in the registry). Clones without prompting for credentials,
/// checks out the ref, and returns the commit hash. Git's own message is kept in the error (with any secret masked).
/// </summary>
public sealed class GitCli : IGitClient
{
    public async Task<string> CheckoutAsync(string repository, string? gitRef, string directory, GitAuth? auth, Func<string, Task> onOutput, CancellationToken ct)
    {
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(directory))!);
        using var access = GitAccess.For(auth);
        // A secret never reaches the build log, even if git were to print it.
        Task Say(string line) => onOutput(access.Redact(line));
        await RunAsync(["clone", "--quiet", "--no-checkout", "--", repository, directory], null, access, Say, $"Cloning {repository} failed", ct);
        var target = string.IsNullOrWhiteSpace(gitRef) ? "HEAD" : gitRef;
        // A branch name resolves through origin/ after a clone; tags and commits resolve as they are.
        var resolved = await TryRevParseAsync(directory, $"origin/{target}", ct) ?? await TryRevParseAsync(directory, $"{target}^{{commit}}", ct)
            ?? throw new ContainerManagerException($"'{target}' is neither a branch, a tag nor a commit of {repository}.");
        await RunAsync(["checkout", "--quiet", "--detach", resolved], directory, access, Say, $"Checking out {target} failed", ct);
        return resolved;
    }

    private static async Task<string?> TryRevParseAsync(string directory, string rev, CancellationToken ct)
    {
        var (code, output, _) = await ExecAsync(["rev-parse", "--verify", "--quiet", rev], directory, GitAccess.None, null, ct);
        return code == 0 ? output.Trim() : null;
    }

    private static async Task RunAsync(string[] args, string? cwd, GitAccess access, Func<string, Task> onOutput, string failure, CancellationToken ct)
    {
        var (code, _, error) = await ExecAsync(args, cwd, access, onOutput, ct);
        if (code != 0) throw new ContainerManagerException($"{failure}: {access.Redact(error.Trim())}");
    }

    private static async Task<(int Code, string Output, string Error)> ExecAsync(string[] args, string? cwd, GitAccess access, Func<string, Task>? onOutput, CancellationToken ct)
    {
        var start = new ProcessStartInfo("git", args) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = cwd ?? "" };
        start.Environment["GIT_TERMINAL_PROMPT"] = "0";
        // Only the transports a project's address may name (no ext::, which runs a command), submodules included.
        start.Environment["GIT_ALLOW_PROTOCOL"] = "https:http:ssh:git:file";
        start.Environment["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes";
        access.Apply(start.Environment);
        Process process;
        try { process = Process.Start(start)!; }
        catch (System.ComponentModel.Win32Exception) { throw new ContainerManagerException("git is not installed on the portal's host: apt-get install git."); }
        using (process)
        {
            using var kill = ct.Register(() => { try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } });
            var output = process.StandardOutput.ReadToEndAsync(ct);
            var error = new System.Text.StringBuilder();
            while (await process.StandardError.ReadLineAsync(ct) is { } line)
            {
                error.AppendLine(line);
                if (onOutput is not null) await onOutput(line);
            }
            await process.WaitForExitAsync(ct);
            return (process.ExitCode, await output, error.ToString());
        }
    }
}
