using Portal.Tests.Shared;
using System.Diagnostics;

namespace Portal.Tests.Unit.Support;

/// <summary>Debian's Python with nbclient and ipykernel, which the local manager and these tests run notebooks with.</summary>
public static class RealPython
{
    public const string Path = "/usr/bin/python3";

    private static readonly Lazy<string?> Problem = new(() =>
    {
        if (!File.Exists(Path)) return $"{Path} is missing";
        using var p = Process.Start(new ProcessStartInfo(Path, ["-c", "import nbclient, ipykernel, nbconvert, sklearn"]) { RedirectStandardError = true })!;
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode == 0 ? null : error.Trim().Split('\n')[^1];
    });

    /// <summary>Skips loudly where the packages are missing; under CI=true a missing Python fails instead.</summary>
    public static void Require()
    {
        if (Problem.Value is null) return;
        var reason = $"PYTHON TESTS SKIPPED: {Problem.Value}. Run scripts/test.sh as root, or apt-get install python3-nbclient python3-ipykernel python3-nbconvert python3-sklearn python3-pandas.";
        TestEnvironment.Missing(reason);
    }

    /// <summary>A real iris classifier pickled by Debian's scikit-learn (the same the base image has) at <paramref name="path"/>.</summary>
    public static Task PickleIrisClassifierAsync(string path) => RunAsync($"""
        import pickle
        from sklearn.datasets import load_iris
        from sklearn.ensemble import RandomForestClassifier
        X, y = load_iris(return_X_y=True)
        pickle.dump(RandomForestClassifier(n_estimators=10, random_state=1).fit(X, y), open({System.Text.Json.JsonSerializer.Serialize(path)}, 'wb'))
        """);

    /// <summary>Runs Python code and returns what it printed.</summary>
    public static async Task<string> RunAsync(string code, string? stdin = null)
    {
        using var p = Process.Start(new ProcessStartInfo(Path, ["-c", code]) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true })!;
        if (stdin is not null) await p.StandardInput.WriteAsync(stdin);
        p.StandardInput.Close();
        var output = await p.StandardOutput.ReadToEndAsync();
        var error = await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0) throw new InvalidOperationException($"python failed ({p.ExitCode}): {error}");
        return output;
    }
}
