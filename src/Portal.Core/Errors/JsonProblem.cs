using System.Text.Json;

namespace Portal.Core.Errors;

/// <summary>A JSON parse error as a sentence a user can act on: what is wrong and where, without the parser's internals.</summary>
public static class JsonProblem
{
    /// <summary>E.g. "'x' is an invalid start of a value (line 1, character 33)".</summary>
    public static string Describe(JsonException e)
    {
        var message = e.Message;
        foreach (var tail in new[] { " LineNumber:", " Path:" })
            if (message.IndexOf(tail, StringComparison.Ordinal) is var at and >= 0) message = message[..at];
        message = message.TrimEnd().TrimEnd('.');
        return e.LineNumber is { } line ? $"{message} (line {line + 1}, character {(e.BytePositionInLine ?? 0) + 1})" : message;
    }
}
