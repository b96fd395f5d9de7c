namespace Portal.Core.Security;

/// <summary>
/// The portal's roles, each including the ones before it: a viewer reads everything, a data scientist also works
/// (projects, datasets, builds, trainings, IDE, versions, deployments), a team lead also promotes to the last
/// environment and sees team dashboards and the audit log, an admin does everything.
/// </summary>
public static class Roles
{
    public const string Viewer = "viewer";
    public const string DataScientist = "data_scientist";
    public const string TeamLead = "team_lead";
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All = [Viewer, DataScientist, TeamLead, Admin];

    public static bool IsKnown(string role) => All.Contains(role);

    /// <summary>True when any of <paramref name="held"/> is <paramref name="required"/> or a role above it.</summary>
    public static bool Satisfies(IEnumerable<string> held, string required)
    {
        var need = Rank(required);
        if (need < 0) throw new ArgumentException($"Unknown role '{required}'.", nameof(required));
        return held.Any(r => Rank(r) >= need);
    }

    /// <summary>The highest role held, for display; null when none is a portal role.</summary>
    public static string? Highest(IEnumerable<string> held) =>
        held.Where(IsKnown).OrderByDescending(Rank).FirstOrDefault();

    private static int Rank(string role) => role switch
    {
        Viewer => 0,
        DataScientist => 1,
        TeamLead => 2,
        Admin => 3,
        _ => -1,
    };
}
