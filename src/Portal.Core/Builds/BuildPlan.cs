using Portal.Core.Entities;

namespace Portal.Core.Builds;

/// <summary>A build that passed its checks: the project, the tag and image, the Dockerfile, and the credential it may use.</summary>
public sealed record BuildPlan(Project Project, string Tag, string Image, string Dockerfile, BuildRequest Request, BuildAccess Access);

/// <summary>The credential a build asked for, decrypted on behalf of the user who started it and kept only for that build.</summary>
public sealed record BuildAccess(string? Name, GitAuth? Git, RegistryAuth? Registry)
{
    public static readonly BuildAccess None = new(null, null, null);
}
