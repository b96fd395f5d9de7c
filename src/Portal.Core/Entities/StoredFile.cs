namespace Portal.Core.Entities;

/// <summary>A file kept in the file store, with the size and sha256 recorded when it was written.</summary>
public sealed record StoredFile
{
    public string Name { get; init; } = "";
    public long Size { get; init; }
    public string Sha256 { get; init; } = "";
}
