namespace Portal.Core.Storage;

public static class ByteSize
{
    /// <summary>A size as people read it: 1.5 MB, 320 KB, 12 bytes (binary multiples).</summary>
    public static string Format(long bytes) => bytes switch
    {
        >= 1024L * 1024 * 1024 => $"{bytes / (1024.0 * 1024 * 1024):0.##} GB",
        >= 1024 * 1024 => $"{bytes / (1024.0 * 1024):0.##} MB",
        >= 1024 => $"{bytes / 1024.0:0.##} KB",
        1 => "1 byte",
        _ => $"{bytes} bytes",
    };
}
