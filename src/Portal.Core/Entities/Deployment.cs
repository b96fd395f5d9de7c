using System.Text.Json;

namespace Portal.Core.Entities;

/// <summary>A group of identical containers serving predictions (Noronha's "depl").</summary>
public sealed class Deployment
{
    public long Id { get; set; }
    public string Name { get; set; } = "";
    public long ProjectId { get; set; }
    public Project? Project { get; set; }
    public long? ModelVersionId { get; set; }
    public ModelVersion? ModelVersion { get; set; }
    public long? BuildVersionId { get; set; }
    public BuildVersion? BuildVersion { get; set; }
    /// <summary>The package whose image serves (a <c>rest</c> package): the version and code are inside it.</summary>
    public long? PackageId { get; set; }
    public ModelPackage? Package { get; set; }
    /// <summary>Relative path inside the project to the prediction notebook or module.</summary>
    public string Notebook { get; set; } = "";
    public int Replicas { get; set; } = 1;
    /// <summary>The environment it serves (akerbp): only versions promoted there can be deployed.</summary>
    public string Environment { get; set; } = "dev";
    /// <summary>The port the prediction server listens on inside each replica.</summary>
    public int Port { get; set; } = 8080;
    public Dictionary<string, string> Env { get; set; } = [];
    public string? ResourceProfile { get; set; }
    /// <summary>Snapshot: the served version as <c>model/version</c>.</summary>
    public string? ModelVersionName { get; set; }
    /// <summary>Which container manager runs it and its id there.</summary>
    public string? Manager { get; set; }
    public string? WorkloadId { get; set; }
    public TaskInfo Task { get; set; } = new();
    public Dictionary<string, JsonElement> Details { get; set; } = [];
    /// <summary>Scale to zero (<c>min_replicas: 0</c>): after this many idle minutes the replicas stop; null never sleeps.</summary>
    public double? IdleMinutes { get; set; }
    /// <summary>Stopped for idleness: the next request through the router starts <see cref="Replicas"/> again.</summary>
    public bool Sleeping { get; set; }
    /// <summary>How long the last wake-up took, from the request that woke it to the first answer.</summary>
    public double? ColdStartMs { get; set; }
    public AccuracyAlert? Alert { get; set; }
    public DateTime CreatedAt { get; set; }
}
