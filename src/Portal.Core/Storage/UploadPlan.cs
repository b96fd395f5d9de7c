using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Services;

namespace Portal.Core.Storage;

/// <summary>
/// The files a user has chosen, checked against the model's specs before any byte is sent: safe names, no file twice,
/// each within its max_mb, the whole within the upload limit, and every required file there.
/// </summary>
public static class UploadPlan
{
    public static void Check(IReadOnlyList<FileSpec> specs, IReadOnlyList<PlannedFile> planned, long maxUploadBytes, string owner, ValidationErrors errors)
    {
        if (planned.Count == 0) errors.Add("files", "Choose at least one file to upload.");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in planned)
        {
            if (SafeFileName.Check(file.Name) is { } problem) { errors.Add("files", problem); continue; }
            if (!seen.Add(file.Name)) errors.Add("files", $"'{file.Name}' is chosen twice.");
            var spec = specs.FirstOrDefault(s => s.Name == file.Name);
            if (StagedFiles.SpecBytes(spec) is { } max && file.Size > max)
                errors.Add("files", $"'{file.Name}' is {ByteSize.Format(file.Size)}; {owner} allows at most {spec!.MaxMb} MB for it (max_mb).");
        }
        var total = planned.Sum(f => f.Size);
        if (total > maxUploadBytes)
            errors.Add("files", $"The files add up to {ByteSize.Format(total)}; one upload may send at most {ByteSize.Format(maxUploadBytes)} (file_store.max_upload_mb).");
        foreach (var missing in StagedFiles.MissingRequired(specs, seen, owner)) errors.Add("files", missing);
    }
}
