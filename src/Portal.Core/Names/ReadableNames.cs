namespace Portal.Core.Names;

/// <summary>Random names people can read and say aloud, used as defaults (e.g. for a new training).</summary>
public static class ReadableNames
{
    private static readonly string[] Adjectives =
        ["brave", "calm", "clever", "eager", "gentle", "happy", "lucky", "mighty", "quick", "quiet", "sharp", "shiny", "silent", "swift", "witty", "bold"];
    private static readonly string[] Nouns =
        ["otter", "falcon", "badger", "heron", "lynx", "panda", "raven", "tiger", "walrus", "gecko", "koala", "orca", "puffin", "quokka", "yak", "zebra"];

    public static string Next(string? prefix = null)
    {
        var adjective = Adjectives[Random.Shared.Next(Adjectives.Length)];
        var noun = Nouns[Random.Shared.Next(Nouns.Length)];
        var name = $"{adjective}-{noun}-{Random.Shared.Next(100, 1000)}";
        return prefix is null ? name : $"{prefix}-{name}";
    }
}
