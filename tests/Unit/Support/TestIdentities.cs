using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Security;

namespace Portal.Tests.Unit.Support;

/// <summary>
/// Real accounts and personal access tokens in a test portal's store: the tests call the API as a signed-in
/// admin (or a user with a chosen role) exactly as a script with a token would.
/// </summary>
public static class TestIdentities
{
    /// <summary>A token for <paramref name="user"/>, created (as a local account with <paramref name="role"/>) when missing.</summary>
    public static async Task<string> TokenAsync(IServiceProvider services, string user = UserService.FirstAdminName, string role = Roles.Admin)
    {
        var users = services.GetRequiredService<UserService>();
        if (await users.FindAsync(user, CancellationToken.None) is null)
            await users.CreateLocalAsync(user, null, null, [role], CancellationToken.None);
        var issued = await services.GetRequiredService<AccessTokenService>().IssueAsync(user, $"test-{Guid.NewGuid():N}", 1, CancellationToken.None);
        return issued.Secret;
    }

    public static void UseToken(this HttpClient http, string token) =>
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
}
