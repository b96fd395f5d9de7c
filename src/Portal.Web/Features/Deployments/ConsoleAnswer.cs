using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Portal.Web.Features.Deployments;

/// <summary>
/// A model's answer as the "Try it" console shows it: JSON indented with its characters as written (quotes stay quotes, not
/// \u0022; Blazor renders it as text, so nothing here is markup), and for a failed request the error sentence on its own.
/// </summary>
public sealed record ConsoleAnswer(int Status, string Body, string? Error)
{
    private static readonly string[] MessageKeys = ["message", "detail", "error", "title"];
    private static readonly JsonSerializerOptions Readable = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static ConsoleAnswer From(int status, byte[] body)
    {
        var text = Encoding.UTF8.GetString(body);
        JsonElement? json = null;
        try { json = JsonDocument.Parse(text).RootElement; }
        catch (JsonException) { }
        var pretty = json is { } j ? JsonSerializer.Serialize(j, Readable) : text;
        string? error = null;
        if (status >= 400)
            error = json is { ValueKind: JsonValueKind.Object } o
                ? MessageKeys.Select(k => o.TryGetProperty(k, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null)
                    .FirstOrDefault(m => !string.IsNullOrWhiteSpace(m)) ?? $"The request failed with status {status}."
                : string.IsNullOrWhiteSpace(text) ? $"The request failed with status {status}." : text.Trim();
        return new ConsoleAnswer(status, pretty, error);
    }
}
