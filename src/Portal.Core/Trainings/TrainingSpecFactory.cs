using Portal.Core.Builds;
using Portal.Core.Containers;
using Portal.Core.Entities;
using Portal.Core.Services;
using Portal.Core.WorkFiles;

namespace Portal.Core.Trainings;

/// <summary>
/// The workload of a training: the toolkit's runner on the injected notebook, in the build's image (or the notebook base
/// image), with its workspace, project, datasets and starting version mounted and the task token to report with; or,
/// where it may run on another node, fetching them through the portal and sending its results back (<see cref="WorkStaging"/>).
/// </summary>
public sealed class TrainingSpecFactory(IPortalAddress portal, WorkloadLabels labels)
{
    public async Task<WorkloadSpec> BuildAsync(Training training, TrainingLaunchPlan plan, PreparedWorkspace workspace, string token, CancellationToken ct)
    {
        var project = plan.Project;
        var mounts = new List<MountSpec> { new(workspace.Dir, WorkMounts.Work) };
        if (project.HomeDir is not null) mounts.Add(new MountSpec(project.HomeDir, WorkMounts.Project, ReadOnly: true));
        mounts.AddRange(training.Mounts.Select(m => new MountSpec(m.Source, m.Target, m.ReadOnly)));
        mounts.AddRange(workspace.Datasets.Select(d => new MountSpec(d.Folder, $"{WorkMounts.Datasets}/{d.Name}", ReadOnly: true)));
        if (workspace.Pretrained is not null) mounts.Add(new MountSpec(workspace.Pretrained, WorkMounts.Pretrained, ReadOnly: true));

        var env = new Dictionary<string, string>(training.Env)
        {
            ["PORTAL_API_URL"] = await portal.ApiBaseUrlAsync(ct),
            ["PORTAL_TASK_TOKEN"] = token,
            ["PORTAL_TRAINING"] = training.Name,
            ["PORTAL_PROJECT"] = project.Name,
            ["PORTAL_DATASETS_DIR"] = WorkMounts.Datasets,
            ["PORTAL_PRETRAINED_DIR"] = WorkMounts.Pretrained,
            ["PORTAL_WORK_DIR"] = WorkMounts.Work,
            [WorkloadMeta.EnvVar] = WorkloadMeta.ForTraining(project, training.Name, plan.Parameters, plan.Datasets, plan.Pretrained),
        };
        var spec = new WorkloadSpec
        {
            Name = $"train-{training.Id}",
            Image = plan.Build?.Image ?? ProjectImages.NotebookBase,
            Command = ["python3", "-m", "portal_toolkit.run",
                $"{WorkMounts.Work}/{TrainingPaths.Input}", $"{WorkMounts.Work}/{TrainingPaths.Output}", "--cwd", plan.KernelDir],
            Env = env,
            Mounts = mounts,
            Resources = plan.Profile,
            Labels = labels.For("training", training.Id, training.Name, project.Name),
        };
        if (!workspace.Fetched) return spec;
        string[] fetch =
        [
            "notebook", .. plan.Datasets.Count > 0 ? ["datasets"] : Array.Empty<string>(),
            .. plan.Pretrained is null ? [] : new[] { "versions" }, .. project.HomeDir is null ? [] : new[] { "project" },
        ];
        return WorkStaging.Fetching(spec, fetch, sendResults: true);
    }
}
