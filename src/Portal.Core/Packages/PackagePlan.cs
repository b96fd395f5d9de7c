using Portal.Core.Builds;
using Portal.Core.Entities;

namespace Portal.Core.Packages;

/// <summary>
/// A checked package request. The code is copied from the home directory, cloned per <see cref="Git"/>, or already in the
/// build's image (<see cref="ImageCodeDir"/>); <see cref="Push"/> says whether the image goes to its registry, with <see cref="PushAuth"/>.
/// </summary>
public sealed record PackagePlan(string Name, PackageKind Kind, ModelVersion Version, Project Project, BuildVersion? Build, string Entry,
    string? ImageCodeDir, string Image, bool Push = false, RegistryAuth? PushAuth = null, string? CredentialName = null, PackageGit? Git = null);

/// <summary>The project's repository to clone the code from, at <see cref="Ref"/> (its default branch when null).</summary>
public sealed record PackageGit(string Repository, string? Ref, GitAuth? Auth, string? CredentialName);
