using Portal.Core.Storage;
using Portal.Core.Configuration;
using Portal.Core.Entities;

namespace Portal.Core.Services;

/// <summary>Size limits of uploads: the global one from portal.yaml and the per-file ones from a model's file specs.</summary>
public sealed class UploadLimits(PortalConfig config)
{
    public const long BytesPerMb = 1024 * 1024;

    public long MaxUploadBytes { get; } = ToBytes(config.FileStore.MaxUploadMb);

    public static long ToBytes(double mb) => (long)Math.Floor(mb * BytesPerMb);

    public static long? SpecBytes(FileSpec? spec) => StagedFiles.SpecBytes(spec);
}
