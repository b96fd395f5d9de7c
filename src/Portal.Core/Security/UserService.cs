using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Names;
using Portal.Core.Stores;

using Portal.Core.Notifications;

namespace Portal.Core.Security;

/// <summary>
/// Accounts: local sign-in with lockout, the first admin, passwords, roles, and provider accounts seen at sign-in. Past
/// 200 lines (the written reason): every rule that changes an account's security stamp lives here, so a session ends
/// wherever an account changes.
/// </summary>
public sealed class UserService(IUserStore store, AuditLog audit, TimeProvider clock, ChangeFeed<PortalUser> feed, ILogger<UserService> logger)
{
    public const int MinPasswordLength = 12;
    public const int MaxFailedSignIns = 5;
    public static readonly TimeSpan Lockout = TimeSpan.FromMinutes(5);
    public const string FirstAdminName = "admin";
    /// <summary>Environment variable that sets the first admin's password instead of a generated one.</summary>
    public const string AdminPasswordVariable = "PORTAL_ADMIN_PASSWORD";

    public sealed record SignInResult(PortalUser? User, string? Error);

    /// <summary>How long a session check may rest on what was read before; this portal's own changes apply at once.</summary>
    public static readonly TimeSpan SessionCheckCache = TimeSpan.FromSeconds(5);
    private readonly ConcurrentDictionary<string, (PortalUser? User, DateTimeOffset At)> _sessions = new(StringComparer.Ordinal);

    public Task<Page<PortalUser>> ListAsync(PageRequest request, CancellationToken ct) => store.ListAsync(request, ct);

    public Task<PortalUser?> FindAsync(string name, CancellationToken ct) => store.FindAsync(name, ct);

    /// <summary>
    /// With no enabled admin, creates (or re-enables) the local account 'admin'. The password comes from
    /// <paramref name="presetPassword"/> or is generated, returned once and must be changed at first sign-in.
    /// </summary>
    public async Task<string?> EnsureFirstAdminAsync(string? presetPassword, CancellationToken ct)
    {
        if (await store.AnyAdminAsync(ct)) return null;
        var generated = string.IsNullOrEmpty(presetPassword);
        var password = generated ? PasswordHashing.Generate() : presetPassword!;
        if (!generated && PasswordProblem(FirstAdminName, password) is { } problem)
            throw new ValidationFailedException(AdminPasswordVariable, problem);
        var existing = await store.FindAsync(FirstAdminName, ct);
        void Reset(PortalUser u)
        {
            u.PasswordHash = PasswordHashing.Hash(password);
            u.MustChangePassword = generated;
            u.Disabled = false;
            u.FailedSignIns = 0;
            u.LockedUntil = null;
            u.SecurityStamp = NewStamp();
            if (!u.Roles.Contains(Roles.Admin)) u.Roles = [.. u.Roles, Roles.Admin];
        }
        if (existing is null)
        {
            var user = new PortalUser { Name = FirstAdminName, DisplayName = "Administrator", Source = UserSource.Local, CreatedAt = Now };
            Reset(user);
            await store.AddAsync(user, ct);
        }
        else await MutateAsync(existing.Id, Reset, ct);
        logger.LogWarning("No admin account existed: the local account '{Name}' is the admin now{How}.", FirstAdminName,
            generated ? " (its one-time password follows; it must be changed at first sign-in)" : $" (password from {AdminPasswordVariable})");
        return generated ? password : null;
    }

    public async Task<SignInResult> SignInLocalAsync(string name, string password, CancellationToken ct)
    {
        name = name.Trim().ToLowerInvariant();
        // One answer for an unknown name, a wrong password and a locked account, so the form tells nobody which accounts
        // exist; the audit log says which it was.
        var wrong = $"The user name or password is wrong. After {MaxFailedSignIns} wrong passwords an account is locked for " +
            $"{Lockout.TotalMinutes:0} minutes.";
        var user = await store.FindAsync(name, ct);
        if (user is null || user.Source != UserSource.Local || user.PasswordHash is null)
        {
            // Hash anyway so a missing account takes as long as a wrong password.
            PasswordHashing.Verify(password, DummyHash);
            await audit.RecordAsync("sign in", $"user {name}", AuditOutcome.Failed, "unknown local account", ct);
            return new(null, wrong);
        }
        if (user.LockedUntil is { } until && until > Now)
        {
            PasswordHashing.Verify(password, DummyHash);
            await audit.RecordAsync("sign in", $"user {name}", AuditOutcome.Denied, "account locked", ct);
            return new(null, wrong);
        }
        if (user.Disabled)
        {
            // Only someone who knows the password learns that the account is disabled.
            var known = PasswordHashing.Verify(password, user.PasswordHash);
            await audit.RecordAsync("sign in", $"user {name}", AuditOutcome.Denied, "account disabled", ct);
            return new(null, known ? "This account is disabled. Ask an admin." : wrong);
        }
        if (!PasswordHashing.Verify(password, user.PasswordHash))
        {
            var failures = user.FailedSignIns + 1;
            await MutateAsync(user.Id, u =>
            {
                u.FailedSignIns = failures >= MaxFailedSignIns ? 0 : failures;
                if (failures >= MaxFailedSignIns) u.LockedUntil = Now + Lockout;
            }, ct);
            await audit.RecordAsync("sign in", $"user {name}", AuditOutcome.Failed, failures >= MaxFailedSignIns ? "wrong password; account locked" : "wrong password", ct);
            return new(null, wrong);
        }
        user = await MutateAsync(user.Id, u => { u.FailedSignIns = 0; u.LockedUntil = null; u.LastSignInAt = Now; }, ct);
        await audit.RecordAsync("sign in", $"user {name}", AuditOutcome.Succeeded, "local account", ct, SignedIn(user));
        return new(user, null);
    }

    /// <summary>Records a provider account at sign-in: creates it the first time, refreshes its name, mail and roles after.</summary>
    public async Task<PortalUser> RecordExternalSignInAsync(string name, string? displayName, string? email, IReadOnlyList<string> roles, CancellationToken ct)
    {
        var user = await store.FindAsync(name, ct);
        if (user is { Source: UserSource.Local })
            throw new ConflictException($"A local account named '{name}' exists; the provider's account cannot take its name. Ask an admin to rename or remove the local account.");
        if (user is { Disabled: true })
            throw new AccessDeniedException("This account is disabled in the portal. Ask an admin.");
        if (user is null)
            user = await store.AddAsync(new PortalUser
            {
                Name = name, DisplayName = displayName, Email = email, Roles = [.. roles], Source = UserSource.Oidc,
                CreatedAt = Now, LastSignInAt = Now, SecurityStamp = NewStamp(),
            }, ct);
        else
            user = await MutateAsync(user.Id, u =>
            {
                // Roles the provider changed end the user's other sessions, as an admin's change would.
                if (!u.Roles.Order().SequenceEqual(roles.Order())) u.SecurityStamp = NewStamp();
                u.DisplayName = displayName;
                u.Email = email;
                u.Roles = [.. roles];
                u.LastSignInAt = Now;
            }, ct);
        await audit.RecordAsync("sign in", $"user {name}", AuditOutcome.Succeeded, "OpenID provider", ct, SignedIn(user));
        return user;
    }

    public async Task<(PortalUser User, string Password)> CreateLocalAsync(string name, string? displayName, string? email, IReadOnlyList<string> roles, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        if (NameRules.Check(name, "user name") is { } nameProblem) errors.Add("name", nameProblem);
        CheckRoles(roles, errors);
        if (email is { Length: > 0 } && !email.Contains('@')) errors.Add("email", $"'{email}' is not a mail address.");
        errors.ThrowIfAny();
        var password = PasswordHashing.Generate();
        var user = await store.AddAsync(new PortalUser
        {
            Name = name, DisplayName = Blank(displayName), Email = Blank(email), Roles = [.. roles.Distinct()], Source = UserSource.Local,
            PasswordHash = PasswordHashing.Hash(password), MustChangePassword = true, CreatedAt = Now, SecurityStamp = NewStamp(),
        }, ct);
        return (user, password);
    }

    public async Task ChangePasswordAsync(string name, string current, string next, CancellationToken ct)
    {
        var user = await Require(name, ct);
        if (user.Source != UserSource.Local || user.PasswordHash is null)
            throw new ValidationFailedException("current", "This account signs in with the OpenID provider; change the password there.");
        if (!PasswordHashing.Verify(current, user.PasswordHash))
            throw new ValidationFailedException("current", "The current password is wrong.");
        if (PasswordProblem(name, next) is { } problem) throw new ValidationFailedException("next", problem);
        if (current == next) throw new ValidationFailedException("next", "The new password must differ from the current one.");
        await MutateAsync(user.Id, u => { u.PasswordHash = PasswordHashing.Hash(next); u.MustChangePassword = false; u.SecurityStamp = NewStamp(); }, ct);
    }

    /// <summary>Gives a local account a new one-time password (returned once); its next sign-in must change it.</summary>
    public async Task<string> ResetPasswordAsync(string name, CancellationToken ct)
    {
        var user = await Require(name, ct);
        if (user.Source != UserSource.Local)
            throw new ValidationFailedException("name", $"'{name}' signs in with the OpenID provider; it has no portal password.");
        var password = PasswordHashing.Generate();
        await MutateAsync(user.Id, u =>
        {
            u.PasswordHash = PasswordHashing.Hash(password);
            u.MustChangePassword = true;
            u.FailedSignIns = 0;
            u.LockedUntil = null;
            u.SecurityStamp = NewStamp();
        }, ct);
        return password;
    }

    public async Task<PortalUser> UpdateAsync(string name, IReadOnlyList<string> roles, bool disabled, string? displayName, string? email, CancellationToken ct)
    {
        var user = await Require(name, ct);
        var errors = new ValidationErrors();
        CheckRoles(roles, errors);
        errors.ThrowIfAny();
        var stillAdmin = roles.Contains(Roles.Admin) && !disabled;
        if (user.Roles.Contains(Roles.Admin) && !user.Disabled && !stillAdmin) await RefuseLastAdmin(user, "take the admin role from or disable", ct);
        return await MutateAsync(user.Id, u =>
        {
            if (u.Disabled != disabled || !u.Roles.Order().SequenceEqual(roles.Distinct().Order())) u.SecurityStamp = NewStamp();
            u.Roles = [.. roles.Distinct()];
            u.Disabled = disabled;
            u.DisplayName = Blank(displayName);
            u.Email = Blank(email);
        }, ct);
    }

    public async Task DeleteAsync(string name, CancellationToken ct)
    {
        var user = await Require(name, ct);
        if (user.Roles.Contains(Roles.Admin) && !user.Disabled) await RefuseLastAdmin(user, "delete", ct);
        await store.DeleteAsync(user.Id, ct);
        _sessions.TryRemove(user.Name, out _);
        feed.Publish(user);
    }

    /// <summary>Ends every browser session of the user (sign-out): their cookies no longer match the account.</summary>
    public async Task EndSessionsAsync(string name, CancellationToken ct)
    {
        if (await store.FindAsync(name, ct) is { } user) await MutateAsync(user.Id, u => u.SecurityStamp = NewStamp(), ct);
    }

    /// <summary>
    /// The account a browser session belongs to, when that session is still valid: the account exists, is enabled
    /// and carries the session's <paramref name="stamp"/>. Read at most every <see cref="SessionCheckCache"/>.
    /// </summary>
    public async Task<PortalUser?> CurrentSessionAsync(string name, string stamp, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (!_sessions.TryGetValue(name, out var known) || now - known.At > SessionCheckCache)
        {
            known = (await store.FindAsync(name, ct), now);
            _sessions[name] = known;
        }
        return known.User is { Disabled: false } user && CryptographicOperations.FixedTimeEquals(
            Encoding.UTF8.GetBytes(user.SecurityStamp), Encoding.UTF8.GetBytes(stamp)) ? user : null;
    }

    /// <summary>The rules of <see cref="PasswordProblem"/> in one sentence, for forms to state before anything is typed.</summary>
    public static readonly string PasswordRules =
        $"At least {MinPasswordLength} characters, at least 5 of them different, without your user name, and not your current password.";

    /// <summary>Null when <paramref name="password"/> is acceptable, else what to change.</summary>
    public static string? PasswordProblem(string name, string password)
    {
        if (password.Length < MinPasswordLength) return $"The password needs at least {MinPasswordLength} characters (it has {password.Length}).";
        if (password.Contains(name, StringComparison.OrdinalIgnoreCase)) return "The password must not contain the user name.";
        if (password.Distinct().Count() < 5) return "The password repeats too few characters; use a passphrase or a password manager.";
        return null;
    }

    private async Task RefuseLastAdmin(PortalUser user, string verb, CancellationToken ct)
    {
        var admins = await store.ListAsync(new PageRequest(Take: PageRequest.MaxTake), ct);
        if (!admins.Items.Any(u => u.Id != user.Id && !u.Disabled && u.Roles.Contains(Roles.Admin)))
            throw new ConflictException($"'{user.Name}' is the only enabled admin; make someone else an admin before you {verb} this account.");
    }

    private static void CheckRoles(IReadOnlyList<string> roles, ValidationErrors errors)
    {
        if (roles.Count == 0) errors.Add("roles", "Give the user at least one role: " + string.Join(", ", Roles.All) + ".");
        foreach (var r in roles.Where(r => !Roles.IsKnown(r)))
            errors.Add("roles", $"'{r}' is not a role; use {string.Join(", ", Roles.All)}.");
    }

    private async Task<PortalUser> Require(string name, CancellationToken ct) =>
        await store.FindAsync(name, ct) ?? throw new NotFoundException("user", name);

    /// <summary>Every change to an account goes through here, so a session check never rests on what it was before.</summary>
    private async Task<PortalUser> MutateAsync(long id, Action<PortalUser> change, CancellationToken ct)
    {
        var user = await store.MutateAsync(id, change, ct);
        _sessions.TryRemove(user.Name, out _);
        feed.Publish(user);
        return user;
    }

    private static string NewStamp() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    /// <summary>A successful sign-in is the user's own act: the row names them, from the address the request came from.</summary>
    private static Actor SignedIn(PortalUser user) => new(user.Name, user.Roles, ActorContext.Current?.Address);

    private static readonly string DummyHash = PasswordHashing.Hash(Guid.NewGuid().ToString());
}
