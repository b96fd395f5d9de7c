using System.Text.RegularExpressions;
using Portal.Tests.Unit.Support;

namespace Portal.Tests.Unit.Cli;

/// <summary>
/// Every command and verb of the installed CLI (as its bash completion names them) answers --help with a sentence
/// that says what it does and a line of help for each argument; the completion offers what the parser has.
/// </summary>
public sealed partial class CliHelpTests
{
    [SkippableFact]
    public async Task Every_command_and_verb_has_useful_help_and_completes_in_bash()
    {
        RealPython.Require();
        using var cli = await PortalCli.InstallAsync();
        var script = (await cli.RunAsync(null, "completion")).Out;
        var commands = CommandWords().Match(script).Groups[1].Value.Split(' ');
        var verbs = VerbWords().Matches(script).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value.Split(' '));
        Assert.Superset(new HashSet<string> { "login", "proj", "ds", "train", "movers", "depl", "note", "creds", "bvers", "apply", "batch", "sweep", "schedule" }, commands.ToHashSet());
        Assert.Equal(["new", "list", "info", "cancel", "logs", "metrics", "compare"], verbs["train"]);
        Assert.Equal(["new", "list"], verbs["batch"]);
        Assert.Equal(["new", "list", "info", "stop", "promote-best"], verbs["sweep"]);
        Assert.Equal(["new", "list", "info", "pause", "resume", "rm"], verbs["schedule"]);

        var screens = commands.SelectMany(c => verbs.TryGetValue(c, out var vs) ? vs.Select(v => new[] { c, v }).Prepend([c]) : [[c]]).ToList();
        Assert.True(screens.Count > 40, $"only {screens.Count} help screens");
        var problems = new List<string>();
        foreach (var words in screens)
        {
            var help = await cli.RunAsync(null, [.. words, "--help"]);
            var name = "portal " + string.Join(' ', words);
            if (help.Code != 0) { problems.Add($"{name} --help exited {help.Code}: {help.Err}"); continue; }
            problems.AddRange(Problems(name, help.Out));
        }
        Assert.True(problems.Count == 0, string.Join('\n', problems));

        // The script works in bash: the second word completes to the noun's verbs.
        var completed = await Bash($"{script}\nCOMP_WORDS=(portal depl s); COMP_CWORD=2; _portal; echo \"${{COMPREPLY[*]}}\"");
        Assert.Equal("scale switch", completed.Trim());
    }

    /// <summary>What is missing from one help screen: the sentence under the usage, or a line of help for an argument.</summary>
    private static IEnumerable<string> Problems(string name, string help)
    {
        var paragraphs = help.Split("\n\n");
        if (paragraphs.Length < 2 || !paragraphs[1].TrimEnd().EndsWith('.') || paragraphs[1].StartsWith(' '))
            yield return $"{name}: no sentence says what it does";
        var section = "";
        var lines = help.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].EndsWith(':') && !lines[i].StartsWith(' ')) section = lines[i];
            if (section is not ("options:" or "positional arguments:" or "verbs:" or "commands:")) continue;
            // An argument line ("  --tag TAG     image tag") carries its help after two spaces or on the indented next line;
            // a command's line is indented once more, under its metavar.
            var indent = section is "verbs:" or "commands:" ? "    " : "  ";
            if (!lines[i].StartsWith(indent, StringComparison.Ordinal) || lines[i].Length <= indent.Length || lines[i][indent.Length] == ' ') continue;
            var m = ArgumentLine().Match(lines[i][indent.Length..]);
            if (!m.Success || m.Groups[1].Value is "-h, --help") continue;
            var onLine = m.Groups[2].Value.Trim().Length > 0;
            var below = i + 1 < lines.Length && lines[i + 1].StartsWith(new string(' ', 8), StringComparison.Ordinal);
            if (!onLine && !below) yield return $"{name}: '{m.Groups[1].Value}' has no help";
        }
    }

    private static async Task<string> Bash(string script)
    {
        var start = new System.Diagnostics.ProcessStartInfo("bash", ["-c", script]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, await process.StandardError.ReadToEndAsync());
        return output;
    }

    [GeneratedRegex("""1\) words="([^"]+)" """)]
    private static partial Regex CommandWords();

    [GeneratedRegex("""^\s+([a-z]+)\) words="([^"]+)" ;;""", RegexOptions.Multiline)]
    private static partial Regex VerbWords();

    // The argument (no run of two spaces inside it), then optionally two or more spaces and its help.
    [GeneratedRegex("""^(\S(?:\S| (?! ))*)(\s{2,}.*)?$""")]
    private static partial Regex ArgumentLine();
}
