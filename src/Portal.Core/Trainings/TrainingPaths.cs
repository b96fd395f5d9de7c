using System.Globalization;

namespace Portal.Core.Trainings;

/// <summary>
/// Every name a training's artifacts go by, in one place: the files it exchanges with its workload through the
/// workspace, and the keys its results and log keep in the file store and the log book (record ids, so a rename moves
/// nothing).
/// </summary>
public static class TrainingPaths
{
    /// <summary>The injected notebook the workload runs (workspace).</summary>
    public const string Input = "input.ipynb";
    /// <summary>The executed notebook, written after each cell (workspace).</summary>
    public const string Output = "output.ipynb";
    public const string OutputHtml = "output.ipynb.html";
    /// <summary>Which cell failed and its traceback, written by the toolkit's runner (workspace).</summary>
    public const string Failure = "failure.json";

    /// <summary>The stored executed notebook, under <see cref="Storage"/>.</summary>
    public const string ExecutedNotebook = "executed.ipynb";
    public const string ExecutedHtml = "executed.html";

    public static string Storage(long id) => string.Create(CultureInfo.InvariantCulture, $"trainings/{id}");
    public static string Result(long id, string file) => $"{Storage(id)}/{file}";
    public static string Log(long id) => string.Create(CultureInfo.InvariantCulture, $"trainings/{id}");
}
