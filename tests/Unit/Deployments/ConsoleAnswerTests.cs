using System.Text;
using Portal.Web.Features.Deployments;

namespace Portal.Tests.Unit.Deployments;

/// <summary>The "Try it" console shows a replica's answer readably: a 500 came back with \u0022 escapes and no sentence.</summary>
public sealed class ConsoleAnswerTests
{
    private static ConsoleAnswer Of(int status, string body) => ConsoleAnswer.From(status, Encoding.UTF8.GetBytes(body));

    [Fact]
    public void A_failed_prediction_shows_the_replicas_sentence_with_its_quotes_and_the_whole_body()
    {
        var message = "predict failed: KeyError: \"None of [Index(['petal_length'], dtype='object')] are in the [columns]\" <df>";
        var answer = Of(500, System.Text.Json.JsonSerializer.Serialize(new { status = "error", message }));
        Assert.Equal(message, answer.Error);
        Assert.Contains("\"None of [Index(['petal_length']", answer.Body);
        Assert.DoesNotContain("\\u0022", answer.Body);
        Assert.DoesNotContain("\\u003C", answer.Body);
    }

    [Fact]
    public void Problem_details_plain_text_and_empty_bodies_each_give_a_sentence()
    {
        Assert.Equal("No replica answers.", Of(503, """{"title":"Unavailable","detail":"No replica answers."}""").Error);
        Assert.Equal("Bad Gateway", Of(502, "Bad Gateway\n").Error);
        Assert.Equal("The request failed with status 504.", Of(504, "").Error);
    }

    [Fact]
    public void A_success_has_no_error_and_is_indented()
    {
        var answer = Of(200, """{"prediction":[["setosa"]],"columns":["species"]}""");
        Assert.Null(answer.Error);
        Assert.Contains("\n", answer.Body);
        Assert.Contains("\"setosa\"", answer.Body);
    }
}
