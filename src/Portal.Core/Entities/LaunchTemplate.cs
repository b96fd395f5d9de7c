using System.Text.Json;

namespace Portal.Core.Entities;

/// <summary>
/// A training's launch kept for later (a sweep's trials, a schedule's runs): its input without the name, each run adding
/// its own parameters or datasets.
/// </summary>
public sealed record LaunchTemplate
{
    public string Notebook { get; init; } = "";
    /// <summary>Parameters every run gets; a sweep trial's own values win.</summary>
    public Dictionary<string, JsonElement> Parameters { get; init; } = [];
    public List<string> Datasets { get; init; } = [];
    public Dictionary<string, string> Env { get; init; } = [];
    public string? ResourceProfile { get; init; }
    public string? Pretrained { get; init; }
    public List<string> Mounts { get; init; } = [];
    public string? BuildTag { get; init; }
}
