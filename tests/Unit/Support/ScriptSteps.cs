using System.Globalization;

namespace Portal.Tests.Unit.Support;

/// <summary>
/// The little scripts the contract tests give workloads (<c>echo TEXT</c>, <c>echo TEXT &gt;&amp;2</c>, <c>sleep SECONDS</c>,
/// <c>exit CODE</c>, separated by <c>;</c>), read as steps by the doubles that play an engine: the fake manager and the
/// Kubernetes kubelet player. Real engines run the same text with /bin/sh.
/// </summary>
public static class ScriptSteps
{
    public sealed record Step(string Verb, string Argument)
    {
        public bool ToStderr => Verb == "echo" && Argument.EndsWith(">&2", StringComparison.Ordinal);
        public string Text => ToStderr ? Argument[..^3].Trim() : Argument;
        public TimeSpan Seconds => TimeSpan.FromSeconds(double.Parse(Argument, CultureInfo.InvariantCulture));
        public int Code => int.Parse(Argument, CultureInfo.InvariantCulture);
    }

    public static IEnumerable<Step> Of(string script) =>
        script.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(s => s.IndexOf(' ') is var space and > 0 ? new Step(s[..space], s[(space + 1)..]) : new Step(s, ""));
}
