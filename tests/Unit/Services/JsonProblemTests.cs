using System.Text.Json;
using Portal.Core.Errors;

namespace Portal.Tests.Unit.Services;

/// <summary>The parameters check showed the parser's "LineNumber: 0 | BytePositionInLine: 32" to a user.</summary>
public sealed class JsonProblemTests
{
    [Theory]
    [InlineData("""{"alpha": 0.5, "epochs": x}""", "'x' is an invalid start of a value (line 1, character 26)")]
    [InlineData("{\n  \"a\": 1,\n}", "(line 3, character 1)")]
    public void A_parse_error_says_what_and_where_without_the_parsers_internals(string text, string expected)
    {
        var e = Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(text));
        var described = JsonProblem.Describe(e);
        Assert.Contains(expected, described);
        Assert.DoesNotContain("LineNumber", described);
        Assert.DoesNotContain("BytePositionInLine", described);
        Assert.DoesNotContain("Path:", described);
    }
}
