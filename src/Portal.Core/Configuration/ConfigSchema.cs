using System.Collections;
using System.Globalization;
using System.Reflection;
using YamlDotNet.RepresentationModel;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Portal.Core.Configuration;

/// <summary>
/// Checks a YAML tree against the shape of <see cref="PortalConfig"/> before it is deserialized, so that
/// unknown keys and values of the wrong type are reported with their exact place instead of being ignored.
/// </summary>
internal static class ConfigSchema
{
    public static string KeyOf(PropertyInfo property) =>
        property.GetCustomAttribute<YamlMemberAttribute>()?.Alias ?? UnderscoredNamingConvention.Instance.Apply(property.Name);

    public static IReadOnlyDictionary<string, PropertyInfo> KeysOf(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite)
            .ToDictionary(KeyOf, p => p, StringComparer.Ordinal);

    public static void Check(YamlNode node, Type type, string path, ConfigOrigin origin, List<ConfigProblem> problems)
    {
        var nullable = Nullable.GetUnderlyingType(type);
        if (nullable is not null) type = nullable;

        if (node is YamlScalarNode s && IsNull(s)) return;

        if (IsScalarType(type))
        {
            if (node is not YamlScalarNode scalar)
            {
                Add(problems, origin, node, $"'{path}' takes a single {Describe(type)}, not a {Kind(node)}.");
                return;
            }
            if (!ScalarFits(scalar.Value ?? "", type))
                Add(problems, origin, node, $"'{path}' takes {Describe(type)}; '{scalar.Value}' is not one.");
            return;
        }

        if (DictionaryValueType(type) is { } valueType)
        {
            if (node is not YamlMappingNode map)
            {
                Add(problems, origin, node, $"'{path}' takes a mapping of names to settings, not a {Kind(node)}.");
                return;
            }
            foreach (var (key, value) in map.Children)
                Check(value, valueType, $"{path}.{((YamlScalarNode)key).Value}", origin, problems);
            return;
        }

        if (ListItemType(type) is { } itemType)
        {
            if (node is not YamlSequenceNode seq)
            {
                Add(problems, origin, node, $"'{path}' takes a list, not a {Kind(node)}.");
                return;
            }
            var i = 0;
            foreach (var item in seq.Children) Check(item, itemType, $"{path}[{i++}]", origin, problems);
            return;
        }

        if (node is not YamlMappingNode section)
        {
            Add(problems, origin, node, path.Length == 0
                ? $"The file must be a mapping of sections (store, file_store, ...), not a {Kind(node)}."
                : $"'{path}' is a section and takes a mapping of keys, not a {Kind(node)}.");
            return;
        }
        var keys = KeysOf(type);
        foreach (var (keyNode, value) in section.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? "";
            var keyPath = path.Length == 0 ? key : $"{path}.{key}";
            if (!keys.TryGetValue(key, out var property))
            {
                var where = path.Length == 0 ? "at the top level" : $"in '{path}'";
                Add(problems, origin, keyNode, $"Unknown key '{key}' {where}. Known keys: {string.Join(", ", keys.Keys)}.");
                continue;
            }
            Check(value, property.PropertyType, keyPath, origin, problems);
        }
    }

    public static bool IsNull(YamlScalarNode s) =>
        s.Style == YamlDotNet.Core.ScalarStyle.Plain && s.Value is null or "" or "~" or "null" or "Null" or "NULL";

    private static bool IsScalarType(Type t) => t == typeof(string) || t.IsPrimitive || t == typeof(decimal);

    private static bool ScalarFits(string value, Type t) => t switch
    {
        _ when t == typeof(string) => true,
        _ when t == typeof(bool) => bool.TryParse(value, out _),
        _ when t == typeof(int) => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _),
        _ when t == typeof(long) => long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _),
        _ when t == typeof(double) => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _),
        _ => true,
    };

    private static string Describe(Type t) => t switch
    {
        _ when t == typeof(bool) => "true or false",
        _ when t == typeof(int) || t == typeof(long) => "a whole number",
        _ when t == typeof(double) => "a number",
        _ => "text",
    };

    private static string Kind(YamlNode node) => node switch
    {
        YamlMappingNode => "mapping",
        YamlSequenceNode => "list",
        _ => "single value",
    };

    private static Type? DictionaryValueType(Type t) =>
        t.IsGenericType && t.GetGenericTypeDefinition() == typeof(Dictionary<,>) ? t.GetGenericArguments()[1] : null;

    private static Type? ListItemType(Type t) =>
        t.IsGenericType && t.GetGenericTypeDefinition() == typeof(List<>) ? t.GetGenericArguments()[0] : null;

    private static void Add(List<ConfigProblem> problems, ConfigOrigin origin, YamlNode node, string message) =>
        problems.Add(origin.At(node, message));
}
