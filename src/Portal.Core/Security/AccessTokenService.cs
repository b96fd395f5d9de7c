using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Notifications;
using Portal.Core.Stores;

namespace Portal.Core.Security;

/// <summary>
/// Personal access tokens: <c>pat_</c> + 32 random bytes (base64url). Only the SHA-256 hash is stored; a token is
/// refused once expired or revoked, or when its owner is disabled. A token acts with its owner's current roles.
/// </summary>
public sealed class AccessTokenService
{
    private readonly IAccessTokenStore store;
    private readonly IUserStore users;
    private readonly TimeProvider clock;

    public AccessTokenService(IAccessTokenStore store, IUserStore users, TimeProvider clock, ChangeFeed<PortalUser> accounts)
    {
        this.store = store;
        this.users = users;
        this.clock = clock;
        // A changed account (roles, disabled, deleted) is read afresh at its next call, not after the cache runs out.
        accounts.Subscribe(_ => true, user =>
        {
            foreach (var (hash, _) in _valid.Where(c => c.Value.Token.UserId == user.Id)) _valid.TryRemove(hash, out _);
            return Task.CompletedTask;
        });
    }

    public const string Prefix = "pat_";
    public const int MaxDays = 366;

    public sealed record Issued(AccessToken Token, string Secret);

    /// <summary>
    /// Tokens found valid, by hash, believed for <see cref="UserService.SessionCheckCache"/>: the router and scripts call
    /// many times a second, and one store read per call cost the router most of its overhead. A revoke or an account
    /// change in this process applies at once; one made by another portal process, within that time.
    /// </summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (AccessToken Token, DateTimeOffset At)> _valid = new(StringComparer.Ordinal);

    public static bool LooksLikeToken(string value) => value.StartsWith(Prefix, StringComparison.Ordinal);

    public async Task<IReadOnlyList<AccessToken>> ListAsync(string userName, CancellationToken ct)
    {
        var user = await users.FindAsync(userName, ct) ?? throw new NotFoundException("user", userName);
        return await store.ListAsync(user.Id, ct);
    }

    /// <summary>Creates a token; <see cref="Issued.Secret"/> is the only time its value exists outside the caller.</summary>
    public async Task<Issued> IssueAsync(string userName, string name, int? days, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        name = name.Trim();
        if (name.Length is 0 or > 100) errors.Add("name", "Name the token (1 to 100 characters), e.g. after the script or machine that uses it.");
        if (days is < 1 or > MaxDays) errors.Add("days", $"A token lives 1 to {MaxDays} days (asked: {days}).");
        errors.ThrowIfAny();
        var user = await users.FindAsync(userName, ct) ?? throw new NotFoundException("user", userName);
        var secret = Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var now = clock.GetUtcNow().UtcDateTime;
        var token = await store.AddAsync(new AccessToken
        {
            UserId = user.Id, Name = name, Prefix = secret[..(Prefix.Length + 6)], Hash = HashOf(secret),
            CreatedAt = now, ExpiresAt = days is { } d ? now.AddDays(d) : now.AddDays(90),
        }, ct);
        token.User = user;
        return new Issued(token, secret);
    }

    /// <summary>The owner of a valid token, or why it is refused. Records when the token was last used (at most once a minute).</summary>
    public async Task<(PortalUser? User, string? Problem)> ValidateAsync(string secret, CancellationToken ct)
    {
        var hash = HashOf(secret);
        var now = clock.GetUtcNow();
        if (_valid.TryGetValue(hash, out var known) && now - known.At <= UserService.SessionCheckCache
            && Problem(known.Token, now.UtcDateTime) is null)
            return (known.Token.User, null);
        var token = await store.FindByHashAsync(hash, ct);
        if (Problem(token, now.UtcDateTime) is { } problem)
        {
            _valid.TryRemove(hash, out _);
            return (null, problem);
        }
        if (token!.LastUsedAt is null || now.UtcDateTime - token.LastUsedAt > TimeSpan.FromMinutes(1))
            await store.MutateAsync(token.Id, t => t.LastUsedAt = now.UtcDateTime, ct);
        _valid[hash] = (token, now);
        return (token.User, null);
    }

    /// <summary>Why <paramref name="token"/> admits nobody at <paramref name="now"/>, or null when it admits its owner.</summary>
    private static string? Problem(AccessToken? token, DateTime now)
    {
        if (token?.User is null) return "The access token is not known.";
        if (token.RevokedAt is not null) return $"The access token '{token.Name}' was revoked.";
        if (token.ExpiresAt is { } exp && exp <= now) return $"The access token '{token.Name}' expired on {exp:yyyy-MM-dd}.";
        return token.User.Disabled ? $"The account '{token.User.Name}' is disabled." : null;
    }

    /// <summary>Whether a token still admits its owner, for checks that repeat (a hub stream asks every few seconds).</summary>
    public async Task<bool> StillValidAsync(string secret, CancellationToken ct) => (await ValidateAsync(secret, ct)).User is not null;

    /// <summary>Revokes one of <paramref name="userName"/>'s tokens (admins may revoke anyone's: pass the owner's name).</summary>
    public async Task RevokeAsync(string userName, long id, CancellationToken ct)
    {
        var token = await store.FindAsync(id, ct);
        if (token?.User is null || token.User.Name != userName) throw new NotFoundException("access token", id.ToString(CultureInfo.InvariantCulture));
        if (token.RevokedAt is null) await store.MutateAsync(id, t => t.RevokedAt = clock.GetUtcNow().UtcDateTime, ct);
        foreach (var (hash, _) in _valid.Where(c => c.Value.Token.Id == id)) _valid.TryRemove(hash, out _);
    }

    public static string HashOf(string secret) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
