using Portal.Core.Names;

namespace Portal.Tests.Unit.Names;

public class NameRulesTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("iris")]
    [InlineData("iris-v2")]
    [InlineData("0day")]
    [InlineData("a-b-c-1-2-3")]
    public void Accepts_lowercase_alphanumerics_and_inner_dashes(string name) => Assert.Null(NameRules.Check(name));

    [Fact]
    public void Accepts_exactly_63_characters() => Assert.Null(NameRules.Check(new string('a', 63)));

    [Fact]
    public void Refuses_64_characters_and_says_the_length()
    {
        var message = NameRules.Check(new string('a', 64));
        Assert.Contains("64 characters", message);
        Assert.Contains("at most 63", message);
    }

    [Theory]
    [InlineData("Iris", "'I' at position 1", "use lowercase")]
    [InlineData("iris_v2", "'_' at position 5", "only lowercase letters, digits and dashes")]
    [InlineData("iris v2", "' ' at position 5", "only lowercase")]
    [InlineData("irís", "'í' at position 3", "only lowercase")]
    [InlineData("a/b", "'/' at position 2", "only lowercase")]
    public void Refuses_other_characters_naming_the_character_and_position(string name, string where, string rule)
    {
        var message = NameRules.Check(name, "project name")!;
        Assert.Contains($"'{name}'", message);
        Assert.Contains(where, message);
        Assert.Contains(rule, message);
        Assert.StartsWith("The project name", message);
    }

    [Theory]
    [InlineData("-iris")]
    [InlineData("iris-")]
    [InlineData("-")]
    public void Refuses_a_dash_at_either_end(string name) =>
        Assert.Contains("must start and end with a letter or digit", NameRules.Check(name));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Requires_a_name(string? name) => Assert.Equal("The name is required.", NameRules.Check(name));

    [Fact]
    public void Shows_control_characters_escaped() => Assert.Contains("\\u0000", NameRules.Check("a\0b"));

    [Fact]
    public void Readable_default_names_follow_the_rules()
    {
        for (var i = 0; i < 200; i++) Assert.True(NameRules.IsValid(ReadableNames.Next("train")));
    }

    [Theory]
    [InlineData("GPU Large", "gpu-large")]
    [InlineData("iris_clf/1.0", "iris-clf-1-0")]
    [InlineData("--a__b--", "a-b")]
    [InlineData("é!", "")]
    public void Slug_makes_a_valid_name_of_any_text(string text, string slug) => Assert.Equal(slug, NameRules.Slug(text));

    [Fact]
    public void A_long_slug_is_cut_to_a_valid_name() => Assert.True(NameRules.IsValid(NameRules.Slug(new string('a', 62) + "-b")));
}
