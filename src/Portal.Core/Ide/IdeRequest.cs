namespace Portal.Core.Ide;

/// <summary>What a user asks for when opening an IDE: a name (readable default), an image (the notebook base image by default), a resource profile (nha-ide) and datasets to mount read-only.</summary>
public sealed record IdeRequest(string? Name = null, string? Image = null, string? ResourceProfile = null, IReadOnlyList<string>? Datasets = null);
