using Portal.Core.Errors;

namespace Portal.Core.Configuration;

/// <summary>One thing wrong in the configuration, located in its source (a file with line and column, or a variable).</summary>
public sealed record ConfigProblem(string Origin, string Message, int? Line = null, int? Column = null)
{
    public override string ToString() => Line is null ? $"{Origin}: {Message}" : $"{Origin}:{Line}:{Column}: {Message}";
}

/// <summary>A configuration that cannot be used; start-up stops and prints every problem found.</summary>
public sealed class ConfigException(IReadOnlyList<ConfigProblem> problems)
    : PortalException("The configuration cannot be used:" + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => "  " + p)))
{
    public ConfigException(ConfigProblem problem) : this([problem]) { }

    public IReadOnlyList<ConfigProblem> Problems { get; } = problems;
}
