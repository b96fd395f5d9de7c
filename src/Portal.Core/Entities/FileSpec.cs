namespace Portal.Core.Entities;

/// <summary>Describes one file a model version or a dataset is made of (Noronha's "file doc").</summary>
public sealed record FileSpec
{
    public string Name { get; init; } = "";
    public string? Desc { get; init; }
    /// <summary>If true, the file can never be left out.</summary>
    public bool Required { get; init; }
    /// <summary>Maximum size in megabytes; null means only the global upload limit applies.</summary>
    public double? MaxMb { get; init; }
}
