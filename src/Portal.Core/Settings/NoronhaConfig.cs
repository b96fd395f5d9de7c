using System.Globalization;
using Portal.Core.Errors;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using YamlDotNet.Serialization;

namespace Portal.Core.Settings;

/// <summary>A key of nha.yaml the import left out or changed, where it is, and why.</summary>
public sealed record NhaNote(string Key, int Line, string Reason);

/// <summary>
/// Noronha's nha.yaml as the portal's settings: the keys that have a counterpart here (container_manager with its
/// resource profiles and healthcheck, docker, the Kubernetes keys Noronha keeps under container_manager) become
/// portal.yaml text for <see cref="PortalSettings.ImportAsync"/>; every other key is listed with its line and why.
/// </summary>
public static class NoronhaConfig
{
    private static readonly Dictionary<string, string> ContainerManagerKeys = new(StringComparer.Ordinal)
    {
        ["type"] = "container_manager.type", ["api_timeout"] = "container_manager.api_timeout",
        ["resource_profiles"] = "container_manager.resource_profiles", ["healthcheck"] = "container_manager.healthcheck",
        ["namespace"] = "kube.namespace", ["storage_class"] = "kube.storage_class", ["nfs"] = "kube.nfs",
    };

    private static readonly Dictionary<string, string> DockerKeys = new(StringComparer.Ordinal)
    {
        ["daemon_address"] = "docker.daemon_address", ["target_registry"] = "docker.target_registry",
        ["registry_secret"] = "docker.registry_secret",
    };

    private static readonly Dictionary<string, string> WhyNot = new(StringComparer.Ordinal)
    {
        ["mongo"] = "the metadata store is SQLite or PostgreSQL (store.* in portal.yaml), not MongoDB",
        ["file_store"] = "Artifactory and Nexus are not supported: files are kept on disk or in S3 (file_store.type in Settings)",
        ["lightweight_store"] = "there is no Cassandra store: small files are served from the file store",
        ["logger"] = "the portal's log is set in portal.yaml (logger.*), read when it starts",
        ["project"] = "there is no working project: pages, the API and the CLI name the project each time",
        ["web_server"] = "the prediction server is the toolkit's own (threads and gunicorn options do not apply)",
        ["router"] = "the router is part of the portal, on the portal's port (router.enabled in Settings)",
    };

    public sealed record Translation(string PortalYaml, IReadOnlyList<NhaNote> Ignored, IReadOnlyList<NhaNote> Renamed);

    public static Translation Translate(string nhaYaml)
    {
        var stream = new YamlStream();
        try { stream.Load(new StringReader(nhaYaml)); }
        catch (YamlException e) { throw new ValidationFailedException("yaml", $"nha.yaml is not valid YAML (line {e.Start.Line}): {e.InnerException?.Message ?? e.Message}"); }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new ValidationFailedException("yaml", "nha.yaml holds no keys: send the file's text, e.g. 'container_manager: {type: swarm}'.");

        var portal = new Dictionary<string, Dictionary<string, object?>>(StringComparer.Ordinal);
        var ignored = new List<NhaNote>();
        var renamed = new List<NhaNote>();
        foreach (var (keyNode, value) in root.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value ?? "";
            var line = (int)keyNode.Start.Line;
            var map = key switch { "container_manager" => ContainerManagerKeys, "docker" => DockerKeys, _ => null };
            if (map is null)
            {
                ignored.Add(new NhaNote(key, line, WhyNot.GetValueOrDefault(key, "Noronha has no such key the portal knows")));
                continue;
            }
            if (value is not YamlMappingNode children)
            {
                ignored.Add(new NhaNote(key, line, "expected a mapping of keys"));
                continue;
            }
            foreach (var (childKey, childValue) in children.Children)
            {
                var name = ((YamlScalarNode)childKey).Value ?? "";
                if (!map.TryGetValue(name, out var target))
                {
                    ignored.Add(new NhaNote($"{key}.{name}", (int)childKey.Start.Line, "no counterpart in the portal's settings"));
                    continue;
                }
                var (section, field) = (target[..target.IndexOf('.')], target[(target.IndexOf('.') + 1)..]);
                if (!portal.TryGetValue(section, out var fields)) portal[section] = fields = new Dictionary<string, object?>(StringComparer.Ordinal);
                fields[field] = name == "resource_profiles" && childValue is YamlMappingNode profiles ? Profiles(profiles, renamed) : Plain(childValue);
            }
        }
        var yaml = portal.Count == 0 ? "" : new SerializerBuilder().Build().Serialize(portal);
        return new Translation(yaml, ignored, renamed);
    }

    /// <summary>
    /// Noronha's profile names may hold '_' and capitals (its guide has <c>light_training</c>); the portal's are lowercase
    /// letters, digits and dashes, so such a name is changed, and said so.
    /// </summary>
    private static Dictionary<string, object?> Profiles(YamlMappingNode profiles, List<NhaNote> renamed)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in profiles.Children)
        {
            var name = ((YamlScalarNode)key).Value ?? "";
            var portalName = Names.NameRules.Slug(name);
            if (portalName != name)
                renamed.Add(new NhaNote($"container_manager.resource_profiles.{name}", (int)key.Start.Line,
                    $"named '{portalName}' here: profile names are lowercase letters, digits and dashes"));
            result[portalName] = Plain(value);
        }
        return result;
    }

    /// <summary>A node as plain values, so it serializes back as it was written.</summary>
    private static object? Plain(YamlNode node) => node switch
    {
        YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "null" or "~" or "" } => null,
        YamlScalarNode { Style: ScalarStyle.Plain, Value: "true" or "false" } s => s.Value == "true",
        YamlScalarNode { Style: ScalarStyle.Plain } s when long.TryParse(s.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) => n,
        YamlScalarNode { Style: ScalarStyle.Plain } s when double.TryParse(s.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        YamlScalarNode s => s.Value,
        YamlSequenceNode seq => seq.Children.Select(Plain).ToList(),
        YamlMappingNode m => m.Children.ToDictionary(c => ((YamlScalarNode)c.Key).Value ?? "", c => Plain(c.Value)),
        _ => null,
    };
}
