using System.Globalization;
using Portal.Core.Configuration;

namespace Portal.Core.Services;

/// <summary>
/// The folder a training runs in, shared with its workload (mounted at <see cref="MountPoint"/>): the injected
/// notebook goes in, the executed notebook, its HTML and failure.json come out. Removed once results are stored.
/// </summary>
public sealed class TrainingWorkspace(PortalPaths paths)
{
    public const string MountPoint = "/portal/work";
    public const string ProjectMountPoint = "/portal/project";
    public const string DatasetsMountPoint = "/portal/datasets";
    public const string PretrainedMountPoint = "/portal/pretrained";
    public const string Input = "input.ipynb";
    public const string Output = "output.ipynb";
    public const string OutputHtml = "output.ipynb.html";
    public const string FailureFile = "failure.json";

    public string DirectoryFor(long trainingId) => Path.Combine(paths.DataDir, "work", "trainings", trainingId.ToString(CultureInfo.InvariantCulture));
}
