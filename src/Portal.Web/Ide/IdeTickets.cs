using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;

namespace Portal.Web.Ide;

/// <summary>
/// How a browser enters a session on the IDE origin, where the portal's own cookie must not count: the portal
/// (on its origin, signed in) hands out a one-time ticket valid for a minute; the IDE origin redeems it for a cookie
/// valid only for that origin and that session's path, which names who opened it and their security stamp (so a
/// sign-out, password or role change ends it as it ends the portal session).
/// </summary>
public sealed class IdeTickets(IDataProtectionProvider protection, TimeProvider clock)
{
    public const string CookieName = JupyterTransformer.PortalCookiePrefix + "ide";
    public static readonly TimeSpan TicketLifetime = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan CookieLifetime = TimeSpan.FromHours(12);

    /// <summary>Who may use one session, and from which portal page (for the frame policy).</summary>
    public sealed record Pass(string User, string Session, string Actor, string Stamp, string? PortalOrigin, string Path);

    private readonly ConcurrentDictionary<string, (Pass Pass, DateTimeOffset Expires)> _tickets = new();
    private readonly ITimeLimitedDataProtector _cookies = protection.CreateProtector("portal.ide-session").ToTimeLimitedDataProtector();

    public string Issue(Pass pass)
    {
        var now = clock.GetUtcNow();
        foreach (var old in _tickets.Where(t => t.Value.Expires < now).Select(t => t.Key).ToList()) _tickets.TryRemove(old, out _);
        var ticket = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        _tickets[ticket] = (pass, now + TicketLifetime);
        return ticket;
    }

    /// <summary>The pass a ticket stood for, once: a second use, or one after a minute, gets nothing.</summary>
    public Pass? Redeem(string? ticket) =>
        ticket is { Length: > 0 } && _tickets.TryRemove(ticket, out var entry) && entry.Expires >= clock.GetUtcNow() ? entry.Pass : null;

    public string Protect(Pass pass) => _cookies.Protect(JsonSerializer.Serialize(pass), clock.GetUtcNow() + CookieLifetime);

    public Pass? Unprotect(string? cookie)
    {
        if (string.IsNullOrEmpty(cookie)) return null;
        try { return JsonSerializer.Deserialize<Pass>(_cookies.Unprotect(cookie)); }
        catch (CryptographicException) { return null; }
        catch (JsonException) { return null; }
    }
}
