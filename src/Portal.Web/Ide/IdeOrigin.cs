using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Portal.Core.Configuration;

namespace Portal.Web.Ide;

/// <summary>
/// Where IDE sessions are served: never on the portal's own origin, because a user's Jupyter serves pages that user
/// controls (custom.js, HTML files) and on the portal's origin they would act with the portal's rights of whoever
/// opens them. Either <c>ide.origin</c> (a host name, optionally one per user through <c>{user}</c>), or by default a
/// second port of the portal on the host the browser reached the portal at. JupyterHub recommends the same.
/// </summary>
public sealed partial class IdeOrigin
{
    public const string UserPlaceholder = "{user}";
    private readonly string? _configured;
    /// <summary>The configured origin's host, with "user" for the placeholder; whether it has one origin per user.</summary>
    private readonly string? _configuredHost;
    private readonly bool _perUser;
    private readonly Dictionary<int, int> _ideByPortalPort;

    private IdeOrigin(string? configured, Dictionary<int, int> ideByPortalPort)
    {
        _configured = configured;
        _configuredHost = configured is null ? null : new Uri(configured.Replace(UserPlaceholder, "user", StringComparison.Ordinal)).Host;
        _perUser = configured?.Contains(UserPlaceholder, StringComparison.Ordinal) == true;
        _ideByPortalPort = ideByPortalPort;
    }

    /// <summary>
    /// Decides the second listener before the server starts: each of the portal's URLs gets one on the same host at
    /// <c>ide.port</c> (or its own port plus one; a free port when the portal's is chosen by the system). Returns the
    /// URLs to listen on, the portal's first.
    /// </summary>
    public static (IdeOrigin Origin, string Urls) Plan(PortalConfig config, string? serverUrls)
    {
        var urls = (string.IsNullOrWhiteSpace(serverUrls) ? "http://localhost:5000" : serverUrls)
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (!string.IsNullOrWhiteSpace(config.Ide.Origin))
            return (new IdeOrigin(config.Ide.Origin.TrimEnd('/'), []), string.Join(';', urls));
        var map = new Dictionary<int, int>();
        var all = new List<string>(urls);
        foreach (var url in urls)
        {
            var (prefix, port) = Split(url);
            if (port < 0) continue;
            // A portal port chosen by the system (0, in tests) is only known once it listens: Started pairs it then.
            var idePort = config.Ide.Port != 0 ? config.Ide.Port : port == 0 ? FreePort() : port + 1;
            if (!map.ContainsValue(idePort)) all.Add(string.Create(CultureInfo.InvariantCulture, $"{prefix}:{idePort}"));
            map[port] = idePort;
        }
        return (new IdeOrigin(null, map), string.Join(';', all));
    }

    /// <summary>Once listening: a portal port chosen by the system is paired with the IDE port planned for it.</summary>
    public void Started(IEnumerable<string> addresses)
    {
        if (!_ideByPortalPort.Remove(0, out var ide)) return;
        var portal = addresses.Select(a => Split(a).Port).FirstOrDefault(p => p != 0 && !_ideByPortalPort.ContainsValue(p) && p != ide);
        if (portal != 0) _ideByPortalPort[portal] = ide;
    }

    /// <summary>Whether the portal listens on this port for IDE sessions (not for itself).</summary>
    public bool IsIdePort(int port) => _configured is null && _ideByPortalPort.ContainsValue(port);

    /// <summary>Whether this request arrived at the IDE origin rather than at the portal.</summary>
    public bool Serves(HttpContext http)
    {
        if (_configured is null) return _ideByPortalPort.ContainsValue(http.Connection.LocalPort);
        var host = http.Request.Host.Host;
        return _perUser
            ? host.EndsWith(_configuredHost!["user".Length..], StringComparison.OrdinalIgnoreCase) && host.IndexOf('.', StringComparison.Ordinal) > 0
            : string.Equals(host, _configuredHost, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Whether the request arrived at the origin of this user's sessions (with one origin per user, not another's).</summary>
    public bool ServesUser(HttpContext http, string user) =>
        Serves(http) && (!_perUser
            || string.Equals(http.Request.Host.Host, new Uri(For(http.Request, user)).Host, StringComparison.OrdinalIgnoreCase));

    /// <summary>The IDE origin of a user's sessions, as seen by a browser that reached the portal with this request.</summary>
    public string For(HttpRequest request, string user)
    {
        if (_configured is not null) return _configured.Replace(UserPlaceholder, user.ToLowerInvariant(), StringComparison.Ordinal);
        var local = request.HttpContext.Connection.LocalPort;
        var port = _ideByPortalPort.TryGetValue(local, out var mapped) ? mapped
            : _ideByPortalPort.ContainsValue(local) ? local : _ideByPortalPort.Values.FirstOrDefault();
        return string.Create(CultureInfo.InvariantCulture, $"{request.Scheme}://{request.Host.Host}:{port}");
    }

    /// <summary>What a portal page may frame: the IDE origin of any user.</summary>
    public string FrameSource(HttpRequest request) =>
        _configured is null ? For(request, "any")
            : _configured.Replace(UserPlaceholder, "*", StringComparison.Ordinal);

    /// <summary>The portal's origin as seen from a request to the IDE origin (the second-port case), for frame-ancestors.</summary>
    public string? PortalOriginFor(HttpRequest request)
    {
        if (_configured is not null) return null;
        var portal = _ideByPortalPort.FirstOrDefault(m => m.Value == request.HttpContext.Connection.LocalPort).Key;
        return portal <= 0 ? null : string.Create(CultureInfo.InvariantCulture, $"{request.Scheme}://{request.Host.Host}:{portal}");
    }

    /// <summary>scheme://host and port of a listening address; other forms (a unix socket) get no IDE listener (port -1).</summary>
    private static (string Prefix, int Port) Split(string url)
    {
        var m = UrlPattern().Match(url.Trim());
        if (!m.Success) return ("", -1);
        var scheme = m.Groups["scheme"].Value.ToLowerInvariant();
        var port = m.Groups["port"].Success ? int.Parse(m.Groups["port"].Value, CultureInfo.InvariantCulture) : scheme == "https" ? 443 : 80;
        return ($"{scheme}://{m.Groups["host"].Value}", port);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^(?<scheme>https?)://(?<host>\[[^\]]+\]|[^:/]+)(:(?<port>\d+))?/?$",
        System.Text.RegularExpressions.RegexOptions.IgnoreCase)]
    private static partial System.Text.RegularExpressions.Regex UrlPattern();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
