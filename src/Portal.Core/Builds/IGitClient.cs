namespace Portal.Core.Builds;

/// <summary>Fetches a project's code from its git repository.</summary>
public interface IGitClient
{
    /// <summary>Clones <paramref name="repository"/> into <paramref name="directory"/> at <paramref name="gitRef"/> (default branch when null); returns the commit hash.</summary>
    Task<string> CheckoutAsync(string repository, string? gitRef, string directory, GitAuth? auth, Func<string, Task> onOutput, CancellationToken ct);
}
