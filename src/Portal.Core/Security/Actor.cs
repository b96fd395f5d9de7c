namespace Portal.Core.Security;

/// <summary>Who is acting on behalf of a request or a browser circuit: the audit log's "who" and "from where".</summary>
public sealed record Actor(string Name, IReadOnlyList<string> Roles, string? Address)
{
    public bool Has(string role) => Security.Roles.Satisfies(Roles, role);
}

/// <summary>
/// The actor of the current asynchronous flow. The web host sets it for every HTTP request and every inbound
/// circuit event; work the portal does on its own (supervisors, cullers) runs without one and is not audited as a user's.
/// </summary>
public static class ActorContext
{
    private static readonly AsyncLocal<Actor?> Value = new();

    public static Actor? Current => Value.Value;

    /// <summary>Makes <paramref name="actor"/> current until the returned scope is disposed.</summary>
    public static IDisposable Use(Actor? actor)
    {
        var previous = Value.Value;
        Value.Value = actor;
        return new Restore(previous);
    }

    private sealed class Restore(Actor? previous) : IDisposable
    {
        public void Dispose() => Value.Value = previous;
    }
}
