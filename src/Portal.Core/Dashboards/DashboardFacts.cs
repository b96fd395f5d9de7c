using System.Text.Json;
using Portal.Core.Entities;

namespace Portal.Core.Dashboards;

/// <summary>What a dashboard needs of one training: who, how it ended, when it was asked for, started and last changed.</summary>
public sealed record TrainingFact(string Project, TaskState State, DateTime CreatedAt, DateTime? StartTime, DateTime? UpdateTime, string? ResourceProfile);

/// <summary>What a dashboard needs of one IDE session: whose, its profile, and its current (or last) run.</summary>
public sealed record IdeFact(string User, string? ResourceProfile, TaskState State, DateTime? StartTime, DateTime? UpdateTime);

/// <summary>A model version's details (where training metrics land) with when and from which training it came.</summary>
public sealed record VersionMetricFact(string Version, DateTime CreatedAt, string? Training, IReadOnlyDictionary<string, JsonElement> Details, IReadOnlyList<string> Promotions);

/// <summary>A deployment's requests through the router in a window: how many, how many failed (status 400 and up), latency percentiles.</summary>
public sealed record TrafficFact(string Deployment, string Project, string Environment, string? ModelVersion, int Replicas, string? ResourceProfile,
    int Requests, int Errors, double? P50Ms, double? P99Ms);
