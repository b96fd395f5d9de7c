using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Portal.Core.Entities;
using Portal.Core.Security;

namespace Portal.Core.Persistence;

/// <summary>
/// Adds an audit row for every record a user creates, changes or deletes, in the same SaveChanges as the change,
/// so a change and its audit row are stored together or not at all. Only names of changed fields are written,
/// never values (they may be secrets). Work the portal does on its own (no <see cref="ActorContext"/>) is not a user's change.
/// </summary>
public sealed partial class AuditInterceptor(TimeProvider clock) : SaveChangesInterceptor
{
    /// <summary>Book-keeping that changes on every use; a change of these alone is not an action worth a row.</summary>
    private static readonly HashSet<string> Bookkeeping = ["LastUsedAt", "LastActivity", "LastSignInAt", "FailedSignIns", "LockedUntil", "SecurityStamp"];

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } db && ActorContext.Current is { } actor) AddRows(db, actor);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        if (eventData.Context is { } db && ActorContext.Current is { } actor) AddRows(db, actor);
        return result;
    }

    private void AddRows(DbContext db, Actor actor)
    {
        db.ChangeTracker.DetectChanges();
        var now = clock.GetUtcNow().UtcDateTime;
        var rows = new List<AuditEvent>();
        foreach (var entry in db.ChangeTracker.Entries())
        {
            if (entry.Entity is AuditEvent or PredictionRecord or WebhookDelivery || entry.Metadata.IsOwned() || entry.Metadata.HasSharedClrType) continue;
            string verb;
            string? detail = null;
            switch (entry.State)
            {
                case EntityState.Added: verb = "create"; break;
                case EntityState.Deleted: verb = "delete"; break;
                case EntityState.Modified:
                    var changed = ChangedFields(entry);
                    if (changed.Count == 0 || changed.All(Bookkeeping.Contains)) continue;
                    verb = "update";
                    detail = "changed: " + string.Join(", ", changed);
                    break;
                default: continue;
            }
            rows.Add(new AuditEvent
            {
                At = now, Actor = actor.Name, Address = actor.Address, Outcome = AuditOutcome.Succeeded,
                Action = $"{verb} {KindOf(entry)}", Target = TargetOf(entry), Detail = detail,
            });
        }
        db.Set<AuditEvent>().AddRange(rows);
    }

    private static List<string> ChangedFields(EntityEntry entry) =>
        [.. entry.Properties.Where(p => p.IsModified).Select(p => p.Metadata.Name),
         .. entry.ComplexProperties.Where(c => c.Properties.Any(p => p.IsModified)).Select(c => c.Metadata.Name)];

    private static string KindOf(EntityEntry entry)
    {
        var name = entry.Metadata.ClrType.Name;
        return name switch
        {
            nameof(PortalUser) => "user",
            nameof(IdeSession) => "IDE session",
            _ => Words().Replace(name, " $1").Trim().ToLowerInvariant(),
        };
    }

    private static string TargetOf(EntityEntry entry)
    {
        var name = entry.Metadata.FindProperty("Name") is { } p ? entry.Property(p.Name).CurrentValue as string : null;
        var id = entry.Metadata.FindPrimaryKey()?.Properties is [var key] ? entry.Property(key.Name).CurrentValue : null;
        // A new row's id is assigned by the database after this point; the name identifies it.
        var idText = id switch { long n and > 0 => $"#{n}", string text when name is null => text, _ => null };
        return string.Join(" ", new[] { KindOf(entry), name, idText }.Where(s => !string.IsNullOrEmpty(s)));
    }

    [GeneratedRegex("(?<!^)([A-Z])")]
    private static partial Regex Words();
}
