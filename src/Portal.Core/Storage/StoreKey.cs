namespace Portal.Core.Storage;

/// <summary>The grammar of a file store key, the same for every store: '/'-separated safe names, nothing reserved.</summary>
public static class StoreKey
{
    /// <summary>Where a local store keeps files being written; no key may use it.</summary>
    public const string TempFolder = ".tmp";

    /// <summary>The key's segments; a key that could leave the store or name its temp folder is refused.</summary>
    public static string[] Segments(string key)
    {
        if (string.IsNullOrEmpty(key) || key.StartsWith('/') || key.EndsWith('/'))
            throw new ArgumentException($"'{key}' is not a file store key.", nameof(key));
        var segments = key.Split('/');
        foreach (var segment in segments)
        {
            var problem = segment == TempFolder ? $"'{TempFolder}' is reserved." : SafeFileName.Check(segment);
            if (problem is not null) throw new ArgumentException($"'{key}' is not a file store key: {problem}", nameof(key));
        }
        return segments;
    }
}
