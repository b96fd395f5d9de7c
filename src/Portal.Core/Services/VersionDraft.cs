namespace Portal.Core.Services;

/// <summary>
/// What comes with a model version's files: a name (empty for the next number of the model), whether to keep the
/// files as one tar.gz, details (a JSON object; metrics go here), and lineage the caller knows: the dataset of the
/// model it was trained on and the version it started from (<c>model/version</c>).
/// </summary>
/// <param name="PublishId">The toolkit's id of one publish call (kept across its retries).</param>
public sealed record VersionDraft(
    string? Name = null, bool Compress = false, string? DetailsJson = null, string? Dataset = null, string? Pretrained = null, string? PublishId = null);
