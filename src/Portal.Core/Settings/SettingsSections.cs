using Portal.Core.Configuration;
using Portal.Core.Errors;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Portal.Core.Settings;

/// <summary>
/// The parts of portal.yaml an admin can change in the portal, each stored as its own YAML text under
/// <c>config.{section}</c>, and the fields among them that the running portal only reads at start-up.
/// </summary>
public static class SettingsSections
{
    public const string ContainerManager = "container_manager";
    public const string Docker = "docker";
    public const string Kube = "kube";
    public const string FileStore = "file_store";
    public const string Router = "router";
    public const string Environments = "environments";
    public const string Security = "security";

    public static readonly string[] All = [ContainerManager, Docker, Kube, FileStore, Router, Environments, Security];

    /// <summary>Sections only portal.yaml sets: they decide how the portal starts (its store, its sign-in, its logs).</summary>
    public static readonly string[] FileOnly = ["store", "auth", "logger"];

    public static string Key(string section) => $"config.{section}";

    /// <summary>A field read once when the portal starts: saving it records it, a restart applies it.</summary>
    public sealed record RestartField(string Path, Func<PortalConfig, object?> Get, Action<PortalConfig, PortalConfig> KeepRunning)
    {
        public string Section => Path.Split('.')[0];
    }

    public static readonly RestartField[] RestartOnly =
    [
        new("container_manager.type", c => c.ContainerManager.Type, (live, run) => live.ContainerManager.Type = run.ContainerManager.Type),
        new("container_manager.api_timeout", c => c.ContainerManager.ApiTimeout, (live, run) => live.ContainerManager.ApiTimeout = run.ContainerManager.ApiTimeout),
        new("container_manager.portal_url", c => c.ContainerManager.PortalUrl, (live, run) => live.ContainerManager.PortalUrl = run.ContainerManager.PortalUrl),
        new("container_manager.local_run_as", c => c.ContainerManager.LocalRunAs, (live, run) => live.ContainerManager.LocalRunAs = run.ContainerManager.LocalRunAs),
        new("docker.daemon_address", c => c.Docker.DaemonAddress, (live, run) => live.Docker.DaemonAddress = run.Docker.DaemonAddress),
        new("docker.network", c => c.Docker.Network, (live, run) => live.Docker.Network = run.Docker.Network),
        new("kube", c => ToYaml(c, Kube), (live, run) => live.Kube = Copy(run, Kube).Kube),
        new("file_store.path", c => c.FileStore.Path, (live, run) => live.FileStore.Path = run.FileStore.Path),
        new("file_store.max_upload_mb", c => c.FileStore.MaxUploadMb, (live, run) => live.FileStore.MaxUploadMb = run.FileStore.MaxUploadMb),
        new("file_store.type", c => c.FileStore.Type, (live, run) => live.FileStore.Type = run.FileStore.Type),
        new("file_store.s3", c => c.FileStore.S3 is var s3 ? $"{s3.Endpoint} {s3.Bucket} {s3.Region} {s3.PathStyle} {s3.Prefix} {s3.AccessKey} {s3.Credential}" : null,
            (live, run) => live.FileStore.S3 = run.FileStore.S3),
    ];

    private static readonly ISerializer Serializer = new SerializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .ConfigureDefaultValuesHandling(DefaultValuesHandling.OmitNull)
        .Build();

    /// <summary>How each section is read from and put into a configuration: the one place that knows the sections' properties.</summary>
    private sealed record Accessor(Func<PortalConfig, object> Get, Action<PortalConfig, PortalConfig> Set);

    private static readonly Dictionary<string, Accessor> Accessors = new()
    {
        [ContainerManager] = new(c => c.ContainerManager, (to, from) => to.ContainerManager = from.ContainerManager),
        [Docker] = new(c => c.Docker, (to, from) => to.Docker = from.Docker),
        [Kube] = new(c => c.Kube, (to, from) => to.Kube = from.Kube),
        // The S3 secret is never saved with the section: the one given by portal.yaml or the environment stays.
        [FileStore] = new(c => c.FileStore.WithoutSecret(), (to, from) =>
        {
            var secret = to.FileStore.S3.SecretKey;
            to.FileStore = from.FileStore;
            to.FileStore.S3.SecretKey ??= secret;
        }),
        [Router] = new(c => c.Router, (to, from) => to.Router = from.Router),
        [Environments] = new(c => c.Environments, (to, from) => to.Environments = from.Environments),
        [Security] = new(c => c.Security, (to, from) => to.Security = from.Security),
    };

    private static Accessor Of(string section) =>
        Accessors.TryGetValue(section, out var accessor) ? accessor : throw new ArgumentOutOfRangeException(nameof(section), section, "not a settings section");

    /// <summary>The section as portal.yaml writes it, its key included.</summary>
    public static string ToYaml(PortalConfig config, string section) =>
        Serializer.Serialize(new Dictionary<string, object> { [section] = Of(section).Get(config) });

    /// <summary>Reads a section's YAML (on top of the defaults, so it is checked like portal.yaml).</summary>
    public static PortalConfig Parse(string yaml, string origin) => PortalConfigLoader.Parse(yaml, origin);

    /// <summary>A deep copy of one section of <paramref name="from"/>, in a configuration of defaults.</summary>
    public static PortalConfig Copy(PortalConfig from, string section) => Parse(ToYaml(from, section), "copy");

    /// <summary>Puts <paramref name="from"/>'s section (a copy) into <paramref name="to"/>.</summary>
    public static void Assign(PortalConfig to, PortalConfig from, string section) => Replace(to, Copy(from, section), section);

    /// <summary>
    /// Puts <paramref name="from"/>'s section itself into <paramref name="to"/>, unchecked: for values a form edited,
    /// which the validator then reports field by field (a copy would stop at the first invalid value).
    /// </summary>
    public static void Replace(PortalConfig to, PortalConfig from, string section) => Of(section).Set(to, from);

    /// <summary>A deep copy of every section admins can change, for a form to edit without touching the running portal.</summary>
    public static PortalConfig CopyAll(PortalConfig from)
    {
        var copy = new PortalConfig();
        foreach (var section in All) Assign(copy, from, section);
        return copy;
    }
    /// <summary>The top-level keys of the YAML and, for mappings, their keys.</summary>
    public static Dictionary<string, IReadOnlyList<string>> TopLevelKeys(string yaml, ValidationErrors errors)
    {
        var keys = new Dictionary<string, IReadOnlyList<string>>();
        var stream = new YamlStream();
        try { stream.Load(new StringReader(yaml)); }
        catch (YamlException e)
        {
            errors.Add("yaml", $"Line {e.Start.Line}, column {e.Start.Column}: this is not valid YAML: {(e.InnerException?.Message ?? e.Message).Trim()}");
            return keys;
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            errors.Add("yaml", "Paste portal.yaml text: a mapping of sections such as 'router:' or 'container_manager:'.");
            return keys;
        }
        foreach (var (k, v) in root.Children)
            keys[((YamlScalarNode)k).Value ?? ""] = v is YamlMappingNode m ? [.. m.Children.Keys.Select(c => ((YamlScalarNode)c).Value ?? "")] : [];
        return keys;
    }
}
