namespace Portal.Core.Containers;

/// <summary>
/// Where the portal puts things inside every workload (trainings, deployments, IDE sessions). Users may not mount over
/// /portal or /opt/portal.
/// </summary>
public static class WorkMounts
{
    /// <summary>The run's own read-write folder (a training's workspace).</summary>
    public const string Work = "/portal/work";
    /// <summary>The project's home directory, read-only.</summary>
    public const string Project = "/portal/project";
    /// <summary>One read-only folder per dataset, named after it.</summary>
    public const string Datasets = "/portal/datasets";
    /// <summary>The model version a training starts from, read-only.</summary>
    public const string Pretrained = "/portal/pretrained";
    /// <summary>The model version a deployment serves, read-only.</summary>
    public const string Model = "/portal/model";

    public static bool IsReserved(string target) =>
        target.Length == 0 || target == "/portal" || target.StartsWith("/portal/", StringComparison.Ordinal)
        || target.StartsWith("/opt/portal", StringComparison.Ordinal);
}
