namespace Portal.Core.Packages;

/// <summary>
/// What to package: a model version (<c>model/version</c>) with a project's prediction code, as a <c>rest</c> or
/// <c>cli</c> image. The code comes from the project's home directory, or from the build tagged
/// <see cref="BuildTag"/> (then that build's image is the base). With <see cref="Registry"/> (host[:port][/path]) the image is
/// named there and pushed, logged in with the vault's <see cref="Credential"/> when one is named.
/// </summary>
public sealed record PackageRequest(string? Name, string ModelVersion, string Project, string Entry, string Kind = "rest", string? BuildTag = null,
    string? Registry = null, string? Credential = null);
