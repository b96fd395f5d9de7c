using System.Security.Cryptography;
using Portal.Core.Containers;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Notifications;
using Portal.Core.Security;
using Portal.Core.Stores;

namespace Portal.Core.Ide;

/// <summary>
/// IDE sessions: Jupyter Notebook in a container per user session, its base URL the portal's proxy path
/// (<c>/ide/{user}/{session}/</c>) so no port is exposed to the user, and a random token the proxy adds and nobody
/// sees. Requests are checked by <see cref="IdeRequestValidator"/>, workloads made by <see cref="IdeSpecFactory"/>;
/// this service is the one writer of a session's row and publishes each change of its state. Each run of the session
/// gets a personal access token of its user for one day (PORTAL_URL and PORTAL_TOKEN, for the portal_client SDK),
/// revoked when the run ends. Nine dependencies (the written reason for passing seven): the manager counts twice, as
/// Spawner and as service control of one engine, and the tokens.
/// </summary>
public sealed class IdeService(
    IIdeSessionStore sessions, IdeRequestValidator validator, IdeSpecFactory specs, IContainerManager manager, IServiceControl services,
    ISecretProtector secrets, AccessTokenService tokens, ChangeFeed<IdeSession> feed, TimeProvider clock)
{
    /// <summary>How long a session's API token lives at most; it is revoked sooner when the session stops or restarts.</summary>
    public const int ApiTokenDays = 1;

    public static string BasePath(string user, string session) => $"/ide/{user}/{session}/";

    public Task<IReadOnlyList<IdeSession>> ListAsync(string? user, CancellationToken ct) => sessions.ListAsync(user, ct);

    public async Task<IdeSession> GetAsync(string user, string name, CancellationToken ct) =>
        await sessions.FindAsync(user, name, ct) ?? throw new NotFoundException($"IDE session of '{user}'", name);

    public async Task<IdeSession> StartAsync(string user, IdeRequest request, CancellationToken ct)
    {
        var plan = await validator.CheckAsync(user, request, ct);
        var health = await manager.CheckAsync(ct);
        if (!health.Ready) throw new ConflictException($"{health.Summary} {string.Join(" ", health.Problems)}");
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        var now = clock.GetUtcNow().UtcDateTime;
        var session = await sessions.AddAsync(new IdeSession
        {
            Name = plan.Name, User = user, Image = plan.Image, ResourceProfile = plan.ProfileName, ProtectedToken = secrets.Protect(token),
            Manager = manager.Capabilities.Kind, Datasets = plan.Datasets.Select(d => new DatasetRef(d.Model!.Name, d.Name, d.Id)).ToList(),
            ModelVersions = [.. plan.ModelVersions], EditProject = plan.EditProject, Env = plan.Env.ToDictionary(),
            Task = new TaskInfo { State = TaskState.Waiting, Message = "Starting Jupyter.", UpdateTime = now }, CreatedAt = now, LastActivity = now,
        }, ct);
        try { return await RunAsync(session, ct); }
        catch (Exception e) when (e is PortalException or IOException)
        {
            specs.Release(session.Id);
            await sessions.DeleteAsync(session.Id, CancellationToken.None);
            throw;
        }
    }

    /// <summary>Starts the session's server again with the same settings (a stopped or a stuck one); files in home stay.</summary>
    public async Task<IdeSession> RestartAsync(string user, string name, CancellationToken ct)
    {
        var session = await GetAsync(user, name, ct);
        if (session.WorkloadId is not null) await manager.RemoveAsync(session.WorkloadId, ct);
        return await RunAsync(session, ct);
    }

    private async Task<IdeSession> RunAsync(IdeSession session, CancellationToken ct)
    {
        await RevokeApiTokenAsync(session);
        // A token's name is unique for its user, and each run of the session has its own.
        var api = await tokens.IssueAsync(session.User, $"IDE session {session.Name} {RandomNumberGenerator.GetHexString(6, lowercase: true)}", ApiTokenDays, ct);
        string id;
        try { id = await manager.StartAsync(await specs.BuildAsync(session, secrets.Unprotect(session.ProtectedToken), api.Secret, ct), ct); }
        catch
        {
            await tokens.RevokeAsync(session.User, api.Token.Id, CancellationToken.None);
            throw;
        }
        return await MutateAsync(session.Id, s =>
        {
            var now = clock.GetUtcNow().UtcDateTime;
            s.AccessTokenId = api.Token.Id;
            s.WorkloadId = id;
            s.LastActivity = now;
            s.Task = s.Task with { State = TaskState.Running, StartTime = now, Message = null, UpdateTime = now };
        }, ct);
    }

    /// <summary>Where the session's Jupyter answers now, or null while it is starting.</summary>
    public async Task<string?> EndpointAsync(IdeSession session, CancellationToken ct) =>
        session.WorkloadId is null ? null : (await services.ListReplicasAsync(session.WorkloadId, ct)).Select(r => r.Endpoint).FirstOrDefault(e => e is not null);

    /// <summary>The live output of the session's Jupyter, straight from the manager, until the caller stops reading.</summary>
    public IAsyncEnumerable<LogLine> FollowLogAsync(IdeSession session, CancellationToken ct) =>
        session.WorkloadId is null ? AsyncEnumerable.Empty<LogLine>() : manager.ReadLogsAsync(session.WorkloadId, follow: true, ct);

    /// <summary>The session's workload status now and at each change, until it ends.</summary>
    public IAsyncEnumerable<WorkloadStatus> WatchAsync(IdeSession session, CancellationToken ct) =>
        session.WorkloadId is null ? AsyncEnumerable.Empty<WorkloadStatus>() : manager.WatchAsync(session.WorkloadId, ct);

    public string TokenOf(IdeSession session) => secrets.Unprotect(session.ProtectedToken);

    public Task TouchAsync(IdeSession session, CancellationToken ct) =>
        sessions.MutateAsync(session.Id, s => s.LastActivity = clock.GetUtcNow().UtcDateTime, ct);

    /// <summary>Stops the session's server (its home volume stays) and says why on its record.</summary>
    public async Task<IdeSession> StopAsync(string user, string name, string reason, CancellationToken ct)
    {
        var session = await GetAsync(user, name, ct);
        if (session.WorkloadId is not null) await manager.RemoveAsync(session.WorkloadId, ct);
        specs.Release(session.Id);
        await RevokeApiTokenAsync(session);
        return await MutateAsync(session.Id, s =>
        {
            s.WorkloadId = null;
            s.AccessTokenId = null;
            s.Task = s.Task with { State = TaskState.Cancelled, Message = reason, UpdateTime = clock.GetUtcNow().UtcDateTime };
        }, ct);
    }

    private async Task RevokeApiTokenAsync(IdeSession session)
    {
        if (session.AccessTokenId is not { } tokenId) return;
        try { await tokens.RevokeAsync(session.User, tokenId, CancellationToken.None); }
        catch (NotFoundException) { }
    }

    private async Task<IdeSession> MutateAsync(long id, Action<IdeSession> change, CancellationToken ct)
    {
        var saved = await sessions.MutateAsync(id, change, ct);
        feed.Publish(saved);
        return saved;
    }
}
