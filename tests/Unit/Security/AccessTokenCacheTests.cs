using Microsoft.Extensions.Logging.Abstractions;
using Portal.Core.Entities;
using Portal.Core.Notifications;
using Portal.Core.Persistence;
using Portal.Core.Security;
using Portal.Tests.Unit.Support;

namespace Portal.Tests.Unit.Security;

/// <summary>
/// Validated access tokens are believed for a few seconds (the router's overhead was a store read per request), yet a
/// revoke or an account change still applies: at once in this process, within the cache's life from another one.
/// </summary>
public sealed class AccessTokenCacheTests
{
    private sealed class StepClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private sealed record Setup(TestDatabase Db, StepClock Clock, AccessTokenService Tokens, UserService Users, EfAccessTokenStore Store) : IDisposable
    {
        public void Dispose() => Db.Dispose();
    }

    private static async Task<Setup> SetUpAsync()
    {
        var db = await TestDatabase.CreateAsync();
        var clock = new StepClock();
        var userStore = new EfUserStore(db.Factory);
        var accounts = new ChangeFeed<PortalUser>(NullLogger<ChangeFeed<PortalUser>>.Instance);
        var users = new UserService(userStore, new AuditLog(new EfAuditStore(db.Factory), clock, NullLogger<AuditLog>.Instance), clock, accounts,
            NullLogger<UserService>.Instance);
        await userStore.AddAsync(new PortalUser { Name = "sam", Roles = [Roles.DataScientist], Source = UserSource.Local, CreatedAt = clock.Now.UtcDateTime }, default);
        await userStore.AddAsync(new PortalUser { Name = "root", Roles = [Roles.Admin], Source = UserSource.Local, CreatedAt = clock.Now.UtcDateTime }, default);
        var store = new EfAccessTokenStore(db.Factory);
        return new Setup(db, clock, new AccessTokenService(store, userStore, clock, accounts), users, store);
    }

    [Fact]
    public async Task A_token_revoked_by_another_portal_process_is_refused_once_the_cache_runs_out()
    {
        using var s = await SetUpAsync();
        var issued = await s.Tokens.IssueAsync("sam", "script", 30, default);
        Assert.Equal("sam", (await s.Tokens.ValidateAsync(issued.Secret, default)).User?.Name);
        // Another process revokes it: the row changes, this process's cache does not hear of it.
        await s.Store.MutateAsync(issued.Token.Id, t => t.RevokedAt = s.Clock.Now.UtcDateTime, default);
        Assert.NotNull((await s.Tokens.ValidateAsync(issued.Secret, default)).User);
        s.Clock.Now += UserService.SessionCheckCache + TimeSpan.FromSeconds(1);
        var (user, problem) = await s.Tokens.ValidateAsync(issued.Secret, default);
        Assert.Null(user);
        Assert.Contains("was revoked", problem);
    }

    [Fact]
    public async Task A_revoke_or_a_disabled_account_in_this_process_applies_to_the_very_next_call()
    {
        using var s = await SetUpAsync();
        var first = await s.Tokens.IssueAsync("sam", "one", 30, default);
        var second = await s.Tokens.IssueAsync("sam", "two", 30, default);
        Assert.NotNull((await s.Tokens.ValidateAsync(first.Secret, default)).User);
        Assert.NotNull((await s.Tokens.ValidateAsync(second.Secret, default)).User);

        await s.Tokens.RevokeAsync("sam", first.Token.Id, default);
        Assert.Contains("was revoked", (await s.Tokens.ValidateAsync(first.Secret, default)).Problem);
        Assert.NotNull((await s.Tokens.ValidateAsync(second.Secret, default)).User);

        await s.Users.UpdateAsync("sam", [Roles.DataScientist], disabled: true, null, null, default);
        Assert.Contains("is disabled", (await s.Tokens.ValidateAsync(second.Secret, default)).Problem);
    }

    [Fact]
    public async Task A_cached_token_still_expires_on_time_and_a_role_change_is_seen_at_once()
    {
        using var s = await SetUpAsync();
        var issued = await s.Tokens.IssueAsync("sam", "short", 1, default);
        Assert.Equal([Roles.DataScientist], (await s.Tokens.ValidateAsync(issued.Secret, default)).User!.Roles);
        await s.Users.UpdateAsync("sam", [Roles.Viewer], disabled: false, null, null, default);
        Assert.Equal([Roles.Viewer], (await s.Tokens.ValidateAsync(issued.Secret, default)).User!.Roles);
        // Read into the cache two seconds before it expires, asked again one second after: inside the cache's life.
        s.Clock.Now = issued.Token.ExpiresAt!.Value.AddSeconds(-2);
        Assert.NotNull((await s.Tokens.ValidateAsync(issued.Secret, default)).User);
        s.Clock.Now += TimeSpan.FromSeconds(3);
        Assert.Contains("expired", (await s.Tokens.ValidateAsync(issued.Secret, default)).Problem);
    }
}
