using Portal.Core.Storage;

namespace Portal.Tests.Unit.Storage;

public class SafeFileNameTests
{
    [Theory]
    [InlineData("train.csv")]
    [InlineData(".env")]
    [InlineData("données été.csv")]
    [InlineData("模型.pkl")]
    [InlineData("a b (1).txt")]
    public void Accepts_ordinary_names(string name) => Assert.Null(SafeFileName.Check(name));

    [Theory]
    [InlineData("../etc/passwd", "path separator")]
    [InlineData("/etc/passwd", "path separator")]
    [InlineData("..\\windows", "path separator")]
    [InlineData("..", "is not a file name")]
    [InlineData(".", "is not a file name")]
    [InlineData("", "required")]
    [InlineData("   ", "required")]
    [InlineData(" lead.csv", "starts or ends with a space")]
    [InlineData("a\0b", "U+0000")]
    [InlineData("a\nb", "U+000A")]
    [InlineData("evil\u202Egnp.exe", "U+202E")]
    [InlineData("zero\u200Bwidth", "U+200B")]
    [InlineData("e\u0301te.csv", "normal form C")]
    public void Refuses_names_that_could_escape_or_deceive(string name, string reason) =>
        Assert.Contains(reason, SafeFileName.Check(name));

    [Fact]
    public void Refuses_names_longer_than_255_bytes()
    {
        Assert.Null(SafeFileName.Check(new string('a', 255)));
        Assert.Contains("255 bytes", SafeFileName.Check(new string('é', 128)));
    }
}
