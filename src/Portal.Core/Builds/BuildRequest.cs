using Portal.Core.Entities;

namespace Portal.Core.Builds;

/// <summary>What to build: from the project's home directory, its git repository at a ref, or a pre-built image of its docker repository.</summary>
public sealed record BuildRequest
{
    public BuildSource From { get; init; } = BuildSource.Local;
    /// <summary>The image tag; <c>latest</c> when empty (Noronha's default).</summary>
    public string? Tag { get; init; }
    /// <summary>Branch, tag or commit for git builds; the default branch when empty.</summary>
    public string? GitRef { get; init; }
    /// <summary>The Dockerfile's path inside the project; <c>Dockerfile</c> when empty.</summary>
    public string? Dockerfile { get; init; }
    /// <summary>A vault credential for a private git repository (git, basic) or registry (docker, basic); the builder's user must own it.</summary>
    public string? Credential { get; init; }
}
