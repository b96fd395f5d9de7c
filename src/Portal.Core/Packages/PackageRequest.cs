namespace Portal.Core.Packages;

/// <summary>
/// What to package: a model version (<c>model/version</c>) with a project's prediction code, as a <c>rest</c> or
/// <c>cli</c> image. The code comes from the project's home directory, or from the build tagged
/// <see cref="BuildTag"/> (then that build's image is the base).
/// </summary>
public sealed record PackageRequest(string? Name, string ModelVersion, string Project, string Entry, string Kind = "rest", string? BuildTag = null);
