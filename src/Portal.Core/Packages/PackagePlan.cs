using Portal.Core.Entities;

namespace Portal.Core.Packages;

/// <summary>A checked package request.</summary>
public sealed record PackagePlan(string Name, PackageKind Kind, ModelVersion Version, Project Project, BuildVersion? Build, string Entry,
    string? ImageCodeDir, string Image);
