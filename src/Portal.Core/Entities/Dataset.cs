using System.Text.Json;

namespace Portal.Core.Entities;

/// <summary>A set of data files for training a model (Noronha's "ds").</summary>
public sealed class Dataset
{
    public long Id { get; set; }
    public string Name { get; set; } = "";
    public long ModelId { get; set; }
    public Model? Model { get; set; }
    /// <summary>True when the files are kept in the portal's file store.</summary>
    public bool Stored { get; set; }
    /// <summary>True when the files are kept as one tar.gz archive.</summary>
    public bool Compressed { get; set; }
    public Dictionary<string, JsonElement> Details { get; set; } = [];
    /// <summary>The dataset's files as uploaded (before compression), with sizes and hashes.</summary>
    public List<StoredFile> Files { get; set; } = [];
    /// <summary>The archive holding the files when <see cref="Compressed"/>.</summary>
    public StoredFile? Archive { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }

    public long TotalSize => Files.Sum(f => f.Size);
}
