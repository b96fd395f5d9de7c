using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.SignalR;
using Portal.Core.Security;

namespace Portal.Web.Auth;

/// <summary>
/// A hub stream outlives the request that opened it, and with it that request's checks: a live log followed for an
/// hour would go on after its user signed out, was disabled or revoked the token. Every <see cref="CheckEvery"/> the
/// stream asks again what a new request would be asked, and ends with a message when the answer is no.
/// </summary>
public sealed class HubSession(UserService users, AccessTokenService tokens, TimeProvider clock)
{
    /// <summary>How often; a cookie session's answer is cached for as long (<see cref="UserService.SessionCheckCache"/>).</summary>
    public static readonly TimeSpan CheckEvery = UserService.SessionCheckCache;

    public const string Ended = "Your session has ended (signed out, the account changed, or the token was revoked or expired): sign in again.";

    /// <summary>Whether the connection's user would still be let in.</summary>
    public async Task<bool> IsCurrentAsync(HttpContext http, CancellationToken ct)
    {
        var user = http.User;
        if (user.Identity is not { IsAuthenticated: true, Name: { } name }) return false;
        switch (PortalPrincipal.Method(user))
        {
            case "pat":
                return BearerHandler.TokenOf(http.Request) is { } token && await tokens.StillValidAsync(token, ct);
            case "jwt":
                // The provider's token cannot be revoked here; it holds until it expires.
                var expires = http.Features.Get<IAuthenticateResultFeature>()?.AuthenticateResult?.Properties?.ExpiresUtc;
                return expires is null || expires > clock.GetUtcNow();
            default:
                return await users.CurrentSessionAsync(name, PortalPrincipal.Stamp(user), ct) is not null;
        }
    }

    /// <summary><paramref name="source"/> for as long as the connection's session holds.</summary>
    public async IAsyncEnumerable<T> WhileCurrent<T>(HttpContext http, IAsyncEnumerable<T> source, [EnumeratorCancellation] CancellationToken ct)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var ended = false;
        var watch = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(CheckEvery, clock, stop.Token);
                bool current;
                // A check that cannot be made (the store is down) ends the stream: the client reconnects and is asked afresh.
                try { current = await IsCurrentAsync(http, stop.Token); }
                catch (Exception e) when (e is not OperationCanceledException) { current = false; }
                if (current) continue;
                ended = true;
                await stop.CancelAsync();
            }
        }, CancellationToken.None);
        try
        {
            await using var lines = source.GetAsyncEnumerator(stop.Token);
            while (true)
            {
                bool more;
                try { more = await lines.MoveNextAsync(); }
                catch (OperationCanceledException) when (ended) { throw new HubException(Ended); }
                if (!more) yield break;
                yield return lines.Current;
            }
        }
        finally
        {
            await stop.CancelAsync();
            try { await watch; }
            catch (OperationCanceledException) { }
        }
    }
}
