using YamlDotNet.RepresentationModel;

namespace Portal.Core.Configuration;

/// <summary>Where a configuration value came from: a file (with positions) or an environment variable.</summary>
internal sealed record ConfigOrigin(string Name, bool HasPositions)
{
    public static ConfigOrigin File(string path) => new(path, true);
    public static ConfigOrigin Variable(string name) => new($"environment variable {name}", false);

    public ConfigProblem At(YamlNode? node, string message) => HasPositions && node is not null
        ? new ConfigProblem(Name, message, (int)node.Start.Line, (int)node.Start.Column)
        : new ConfigProblem(Name, message);
}
