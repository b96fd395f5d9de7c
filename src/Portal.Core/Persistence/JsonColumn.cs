using System.Text.Json;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Portal.Core.Persistence;

/// <summary>Stores a value as a JSON text column; equality is by the serialized form so changes inside lists are tracked.</summary>
internal static class JsonColumn
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Deserialize<T>(string json) => JsonSerializer.Deserialize<T>(json, Options)!;

    public static ValueConverter<T, string> Converter<T>() => new(v => Serialize(v), s => Deserialize<T>(s));

    public static ValueComparer<T> Comparer<T>() => new(
        (a, b) => Serialize(a) == Serialize(b),
        v => Serialize(v).GetHashCode(),
        v => Deserialize<T>(Serialize(v)));
}
