using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Portal.Core.Configuration;

/// <summary>
/// Builds the configuration in layers, as Noronha does for nha.yaml: the built-in defaults, extended by
/// <c>./portal.yaml</c> if present, else by <c>~/.portal/portal.yaml</c>; then environment variables
/// <c>PORTAL__SECTION__KEY=value</c> override single values. Every problem is reported with its place.
/// </summary>
public static class PortalConfigLoader
{
    public const string FileName = "portal.yaml";

    public sealed record Result(PortalConfig Config, string? File);

    public static Result Load(ConfigSources sources)
    {
        var file = ResolveFile(sources);
        var root = file is null ? null : ParseFile(file, ConfigOrigin.File(file));
        return new Result(Build(root, file, sources.Environment), file);
    }

    /// <summary>Reads YAML text on top of the defaults, without files or variables; used by settings import and tests.</summary>
    public static PortalConfig Parse(string yaml, string originName) =>
        Build(ParseText(yaml, ConfigOrigin.File(originName)), originName, new Dictionary<string, string?>());

    private static PortalConfig Build(YamlNode? fileRoot, string? file, IReadOnlyDictionary<string, string?> environment)
    {
        var merged = LoadDefaults();
        var problems = new List<ConfigProblem>();
        var origins = new Dictionary<string, (ConfigOrigin Origin, YamlNode Node)>(StringComparer.Ordinal);

        if (fileRoot is not null)
        {
            var origin = ConfigOrigin.File(file!);
            ConfigSchema.Check(fileRoot, typeof(PortalConfig), "", origin, problems);
            if (problems.Count == 0) Merge(merged, (YamlMappingNode)fileRoot, "", origin, origins);
        }

        foreach (var (name, value) in environment.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            if (!name.StartsWith(ConfigSources.VariablePrefix, StringComparison.OrdinalIgnoreCase)) continue;
            var origin = ConfigOrigin.Variable(name);
            var keys = name[ConfigSources.VariablePrefix.Length..].ToLowerInvariant().Split("__");
            if (keys.Any(k => k.Length == 0))
            {
                problems.Add(origin.At(null, $"The name must look like {ConfigSources.VariablePrefix}SECTION__KEY (e.g. PORTAL__STORE__DATA_DIR)."));
                continue;
            }
            var overlay = BuildOverlay(keys, value ?? "");
            var before = problems.Count;
            ConfigSchema.Check(overlay, typeof(PortalConfig), "", origin, problems);
            if (problems.Count == before) Merge(merged, overlay, "", origin, origins);
        }

        if (problems.Count > 0) throw new ConfigException(problems);

        var config = Deserialize(merged);
        var invalid = PortalConfigValidator.Validate(config)
            .Select(v => origins.TryGetValue(v.Path, out var o)
                ? o.Origin.At(o.Node, v.Message)
                : new ConfigProblem("built-in defaults", $"'{v.Path}': {v.Message}"))
            .ToList();
        if (invalid.Count > 0) throw new ConfigException(invalid);
        return config;
    }

    private static string? ResolveFile(ConfigSources sources)
    {
        if (sources.ExplicitFile is { } explicitFile)
            return File.Exists(explicitFile)
                ? Path.GetFullPath(explicitFile)
                : throw new ConfigException(new ConfigProblem(explicitFile, "The configuration file given with --config does not exist."));
        var local = Path.Combine(sources.WorkingDirectory, FileName);
        if (File.Exists(local)) return Path.GetFullPath(local);
        var home = Path.Combine(sources.HomeDirectory, ".portal", FileName);
        return File.Exists(home) ? Path.GetFullPath(home) : null;
    }

    private static YamlMappingNode LoadDefaults()
    {
        using var stream = typeof(PortalConfigLoader).Assembly.GetManifestResourceStream("portal.defaults.yaml")
            ?? throw new InvalidOperationException("The built-in portal.defaults.yaml resource is missing from Portal.Core.");
        using var reader = new StreamReader(stream);
        return (YamlMappingNode)ParseText(reader.ReadToEnd(), ConfigOrigin.File("portal.defaults.yaml"))!;
    }

    private static YamlNode? ParseFile(string path, ConfigOrigin origin)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException(origin.At(null, $"The file cannot be read: {e.Message}"));
        }
        return ParseText(text, origin);
    }

    private static YamlNode? ParseText(string text, ConfigOrigin origin)
    {
        var stream = new YamlStream();
        try { stream.Load(new StringReader(text)); }
        catch (YamlException e)
        {
            var message = (e.InnerException?.Message ?? e.Message).Trim();
            throw new ConfigException(new ConfigProblem(origin.Name, $"This is not valid YAML: {message}", (int)e.Start.Line, (int)e.Start.Column));
        }
        if (stream.Documents.Count > 1)
            throw new ConfigException(origin.At(stream.Documents[1].RootNode, "The file holds more than one YAML document; keep one."));
        var root = stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode;
        return root is YamlScalarNode s && ConfigSchema.IsNull(s) ? null : root;
    }

    private static YamlMappingNode BuildOverlay(string[] keys, string value)
    {
        YamlNode node = new YamlScalarNode(value) { Style = ScalarStyle.Plain };
        for (var i = keys.Length - 1; i >= 0; i--)
            node = new YamlMappingNode { { new YamlScalarNode(keys[i]), node } };
        return (YamlMappingNode)node;
    }

    /// <summary>Mappings merge key by key; a scalar or list replaces what was there. Records where each value came from.</summary>
    private static void Merge(YamlMappingNode target, YamlMappingNode source, string path, ConfigOrigin origin,
        Dictionary<string, (ConfigOrigin, YamlNode)> origins)
    {
        foreach (var (keyNode, value) in source.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value!;
            var keyPath = path.Length == 0 ? key : $"{path}.{key}";
            if (value is YamlMappingNode map && target.Children.TryGetValue(keyNode, out var existing) && existing is YamlMappingNode existingMap)
            {
                Merge(existingMap, map, keyPath, origin, origins);
                continue;
            }
            target.Children[new YamlScalarNode(key)] = value;
            Record(value, keyPath, origin, origins);
        }
    }

    private static void Record(YamlNode node, string path, ConfigOrigin origin, Dictionary<string, (ConfigOrigin, YamlNode)> origins)
    {
        origins[path] = (origin, node);
        if (node is YamlMappingNode map)
            foreach (var (k, v) in map.Children) Record(v, $"{path}.{((YamlScalarNode)k).Value}", origin, origins);
        else if (node is YamlSequenceNode list)
            for (var i = 0; i < list.Children.Count; i++) Record(list.Children[i], $"{path}[{i}]", origin, origins);
    }

    private static PortalConfig Deserialize(YamlMappingNode merged)
    {
        var writer = new StringWriter();
        new YamlStream(new YamlDocument(merged)).Save(writer, assignAnchors: false);
        var deserializer = new DeserializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).Build();
        return deserializer.Deserialize<PortalConfig>(writer.ToString()) ?? new PortalConfig();
    }
}
