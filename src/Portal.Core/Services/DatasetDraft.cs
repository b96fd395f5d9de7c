namespace Portal.Core.Services;

/// <summary>What a user gives before uploading a dataset's files.</summary>
public sealed record DatasetDraft(string Name, bool Compress = false, string? DetailsJson = null);

/// <summary>A file the user is about to upload, as the browser knows it before sending.</summary>
public sealed record PlannedFile(string Name, long Size);
