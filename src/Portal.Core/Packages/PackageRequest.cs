namespace Portal.Core.Packages;

/// <summary>
/// What to package: a model version (<c>model/version</c>) with a project's prediction code, as a <c>rest</c> or
/// <c>cli</c> image. <see cref="CodeFrom"/> says where the code comes from: <c>home</c> (the project's home directory),
/// <c>git</c> (its repository at <see cref="GitRef"/>, cloned with the vault's <see cref="GitCredential"/> when named) or
/// <c>build</c> (the image of the build tagged <see cref="BuildTag"/>); left empty, a git ref means git, then the home
/// directory, then the build, then the repository's default branch. The build tagged <see cref="BuildTag"/> is also the base
/// image (its libraries). With <see cref="Registry"/> (host[:port][/path]) the image is named there and pushed, logged in
/// with the vault's <see cref="Credential"/> when one is named.
/// </summary>
public sealed record PackageRequest(string? Name, string ModelVersion, string Project, string Entry, string Kind = "rest", string? BuildTag = null,
    string? Registry = null, string? Credential = null, string? CodeFrom = null, string? GitRef = null, string? GitCredential = null);
