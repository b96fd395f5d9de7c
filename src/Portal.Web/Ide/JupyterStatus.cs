using System.Text.Json;
using Portal.Core.Entities;
using Portal.Core.Ide;

namespace Portal.Web.Ide;

/// <summary>Asks a session's Jupyter for <c>/api/status</c> directly (with its token), for readiness and idle culling.</summary>
public sealed class JupyterStatus(IdeService ide, IHttpClientFactory clients)
{
    /// <summary>Jupyter's status document; null while the server does not answer.</summary>
    public async Task<JsonElement?> GetAsync(IdeSession session, CancellationToken ct)
    {
        if (await ide.EndpointAsync(session, ct) is not { } endpoint) return null;
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{endpoint}{IdeService.BasePath(session.User, session.Name)}api/status");
        request.Headers.TryAddWithoutValidation("Authorization", $"token {ide.TokenOf(session)}");
        try
        {
            using var response = await clients.CreateClient(IdeProxy.HttpClientName).SendAsync(request, ct);
            if (!response.IsSuccessStatusCode) return null;
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
            return doc.RootElement.Clone();
        }
        catch (Exception e) when (e is HttpRequestException or JsonException) { return null; }
    }
}
