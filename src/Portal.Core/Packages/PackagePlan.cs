using Portal.Core.Entities;

namespace Portal.Core.Packages;

/// <summary>A checked package request; <see cref="Push"/> says whether the image goes to its registry, with <see cref="PushAuth"/>.</summary>
public sealed record PackagePlan(string Name, PackageKind Kind, ModelVersion Version, Project Project, BuildVersion? Build, string Entry,
    string? ImageCodeDir, string Image, bool Push = false, Builds.RegistryAuth? PushAuth = null, string? CredentialName = null);
