using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Portal.Core.Persistence;

/// <summary>Every time is UTC in the store; a time of unspecified kind is taken as UTC (PostgreSQL refuses to guess).</summary>
internal sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
    v => v.Kind == DateTimeKind.Local ? v.ToUniversalTime() : DateTime.SpecifyKind(v, DateTimeKind.Utc),
    v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
