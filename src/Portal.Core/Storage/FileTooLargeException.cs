using Portal.Core.Errors;

namespace Portal.Core.Storage;

/// <summary>A write went past its size limit; the partial file was discarded.</summary>
public sealed class FileTooLargeException(string fileName, long limitBytes, string? limitName = null)
    : PortalException($"'{fileName}' is larger than {ByteSize.Format(limitBytes)}{(limitName is null ? "" : $", the limit set by {limitName}")}.")
{
    public string FileName { get; } = fileName;
    public long LimitBytes { get; } = limitBytes;
}
