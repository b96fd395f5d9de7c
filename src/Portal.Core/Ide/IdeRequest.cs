namespace Portal.Core.Ide;

/// <summary>
/// What a user asks for when opening an IDE: a name (readable default), an image (the notebook base image by
/// default), a resource profile (nha-ide), datasets and model versions to mount read-only, a project whose home
/// directory is mounted for editing (Noronha's <c>--edit</c>), and environment variables.
/// </summary>
public sealed record IdeRequest(string? Name = null, string? Image = null, string? ResourceProfile = null, IReadOnlyList<string>? Datasets = null)
{
    public IReadOnlyList<string> ModelVersions { get; init; } = [];
    public string? EditProject { get; init; }
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();
}
