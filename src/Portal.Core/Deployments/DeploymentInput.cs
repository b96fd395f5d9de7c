namespace Portal.Core.Deployments;

/// <summary>What a user gives to deploy a model version (Noronha's <c>nha depl new</c>, Odahu's ModelDeployment).</summary>
public sealed record DeploymentInput
{
    public required string Name { get; init; }
    /// <summary>The project whose code serves; with <see cref="Package"/>, the package's (may be left empty).</summary>
    public string Project { get; init; } = "";
    /// <summary>The version to serve, as <c>model/version</c>; it must be promoted to <see cref="Environment"/>.</summary>
    public string ModelVersion { get; init; } = "";
    /// <summary>The prediction code inside the project: a module (.py) with load/predict, or a notebook defining predict.</summary>
    public string Entry { get; init; } = "";
    /// <summary>
    /// A <c>rest</c> package to serve instead: its image holds the version and the code, so project, version and entry
    /// come from it (given ones must match) and no build is chosen.
    /// </summary>
    public string? Package { get; init; }
    public string? Environment { get; init; }
    public string? BuildTag { get; init; }
    public int Replicas { get; init; } = 1;
    /// <summary>Scale to zero: after this many minutes without a request the replicas stop, and the next request starts them.</summary>
    public double? IdleMinutes { get; init; }
    public int Port { get; init; } = 8080;
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();
    public string? ResourceProfile { get; init; }
    /// <summary>Health check of each replica; unset values come from container_manager.healthcheck in portal.yaml.</summary>
    public HealthSettings? Health { get; init; }
}

/// <summary>How replicas are probed (seconds, tries): a replica gets traffic, and a roll moves on, once it passes.</summary>
public sealed record HealthSettings(int? StartPeriod = null, int? Interval = null, int? Timeout = null, int? Retries = null);
