using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using Portal.Core.Errors;
using Portal.Core.Storage;

namespace Portal.Web.Api;

/// <summary>
/// Streams a multipart/form-data upload part by part into an <see cref="IArtifactUpload"/>: form fields come first
/// (they start the upload), then one part per file; nothing is buffered whole. A failure leaves nothing stored.
/// </summary>
public static class MultipartUpload
{
    private const int MaxFieldBytes = 64 * 1024;

    public static async Task<T> ReceiveAsync<TUpload, T>(HttpRequest request, Func<IReadOnlyDictionary<string, string>, Task<TUpload>> begin,
        Func<TUpload, Task<T>> commit, CancellationToken ct) where TUpload : IArtifactUpload
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType) || !contentType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
            throw new ValidationFailedException("files", "Send the files as multipart/form-data.");
        var boundary = HeaderUtilities.RemoveQuotes(contentType.Boundary).Value;
        if (string.IsNullOrEmpty(boundary)) throw new ValidationFailedException("files", "The multipart body has no boundary.");

        var reader = new MultipartReader(boundary, request.Body);
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        TUpload? upload = default;
        try
        {
            while (await reader.ReadNextSectionAsync(ct) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)) continue;
                if (disposition.IsFileDisposition())
                {
                    upload ??= await begin(fields);
                    var fileName = disposition.FileNameStar.HasValue ? disposition.FileNameStar.Value : HeaderUtilities.RemoveQuotes(disposition.FileName).Value;
                    await upload.AddFileAsync(fileName ?? "", section.Body, ct);
                }
                else if (disposition.IsFormDisposition())
                {
                    var key = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
                    fields[key] = await ReadFieldAsync(section.Body, key, ct);
                }
            }
            if (upload is null) throw new ValidationFailedException("files", "Upload at least one file.");
            return await commit(upload);
        }
        finally
        {
            if (upload is not null) await upload.DisposeAsync();
        }
    }

    public static bool Flag(this IReadOnlyDictionary<string, string> fields, string key) => bool.TryParse(fields.GetValueOrDefault(key), out var b) && b;

    private static async Task<string> ReadFieldAsync(Stream body, string key, CancellationToken ct)
    {
        using var reader = new StreamReader(body);
        var buffer = new char[MaxFieldBytes + 1];
        var read = await reader.ReadBlockAsync(buffer, ct);
        if (read > MaxFieldBytes) throw new ValidationFailedException(key, $"The field '{key}' is longer than {MaxFieldBytes / 1024} KB.");
        return new string(buffer, 0, read);
    }
}
