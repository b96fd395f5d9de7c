using Portal.Core.Stores;

namespace Portal.Tests.Unit.Names;

public class ReferenceLookupsTests
{
    [Theory]
    [InlineData("iris-clf/3", "iris-clf", "3")]
    [InlineData("  m / v1 ", "m", "v1")]
    [InlineData("m/a/b", "m", "a/b")]
    public void A_model_scoped_reference_splits_into_model_and_name(string reference, string model, string name) =>
        Assert.Equal((model, name), ReferenceLookups.Split(reference));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("no-slash")]
    [InlineData("/v1")]
    [InlineData("m/")]
    public void Anything_else_is_not_a_reference(string? reference) => Assert.Null(ReferenceLookups.Split(reference));
}
