using System.Text;
using Portal.Core.Builds;

namespace Portal.Orchestration.Builds;

/// <summary>
/// Gives one git process a credential without putting it on its command line (visible in the process list):
/// an SSH key goes to a private temporary file named in GIT_SSH_COMMAND; an HTTPS token goes in an
/// Authorization header through git's GIT_CONFIG_* environment variables. The key file is removed on dispose.
/// </summary>
public sealed class GitAccess : IDisposable
{
    public static readonly GitAccess None = new(null, null, null);
    private readonly string? _folder;
    private readonly string? _secret;
    private readonly Dictionary<string, string> _environment = [];

    private GitAccess(string? folder, string? secret, Dictionary<string, string>? environment)
    {
        _folder = folder;
        _secret = secret;
        if (environment is not null) _environment = environment;
    }

    public static GitAccess For(GitAuth? auth)
    {
        if (auth is null) return None;
        if (auth.IsSshKey)
        {
            var folder = Directory.CreateTempSubdirectory("portal-git-").FullName;
            var key = Path.Combine(folder, "key");
            File.WriteAllText(key, auth.Secret.ReplaceLineEndings("\n").TrimEnd() + "\n");
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            return new GitAccess(folder, auth.Secret, new()
            {
                ["GIT_SSH_COMMAND"] = $"ssh -i '{key}' -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=accept-new -o UserKnownHostsFile='{Path.Combine(folder, "known_hosts")}'",
            });
        }
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{(string.IsNullOrEmpty(auth.Username) ? "git" : auth.Username)}:{auth.Secret}"));
        return new GitAccess(null, auth.Secret, new()
        {
            ["GIT_CONFIG_COUNT"] = "1",
            ["GIT_CONFIG_KEY_0"] = "http.extraHeader",
            ["GIT_CONFIG_VALUE_0"] = $"Authorization: Basic {basic}",
        });
    }

    public void Apply(IDictionary<string, string?> environment)
    {
        foreach (var (k, v) in _environment) environment[k] = v;
    }

    public string Redact(string text) => _secret is { Length: > 0 } s ? text.Replace(s, "***", StringComparison.Ordinal) : text;

    public void Dispose()
    {
        if (_folder is not null && Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }
}
