using System.Text.RegularExpressions;
using Portal.Core.Names;

namespace Portal.Core.Configuration;

/// <summary>Rules a configuration must satisfy beyond its shape; each problem names the YAML path it concerns.</summary>
public static partial class PortalConfigValidator
{
    public sealed record Violation(string Path, string Message);

    public static readonly string[] ContainerManagerTypes = ["local", "docker", "swarm", "kube"];
    public static readonly string[] LogLevels = ["ERROR", "WARN", "INFO", "DEBUG"];
    public static readonly string[] ServiceTypes = ["ClusterIP", "NodePort", "LoadBalancer"];

    public static IReadOnlyList<Violation> Validate(PortalConfig c)
    {
        var v = new List<Violation>();
        void Fail(string path, string message) => v.Add(new Violation(path, $"'{path}' {message}"));

        if (c.Store.Type is not ("sqlite" or "postgres")) Fail("store.type", $"is '{c.Store.Type}'; use sqlite (embedded) or postgres.");
        if (c.Store.Type == "postgres" && Persistence.MetadataStore.ConnectionStringProblem(c.Store.ConnectionString) is { } storeProblem)
            Fail("store.connection_string", storeProblem);
        if (string.IsNullOrWhiteSpace(c.Store.DataDir)) Fail("store.data_dir", "must name a directory.");
        if (string.IsNullOrWhiteSpace(c.Store.Database) || c.Store.Database.IndexOfAny(['/', '\\']) >= 0)
            Fail("store.database", "must be a plain file name inside store.data_dir.");

        if (c.FileStore.Type is not ("local" or "s3")) Fail("file_store.type", $"is '{c.FileStore.Type}'; use local (a directory) or s3 (a bucket).");
        if (c.FileStore.Type == "s3")
        {
            var s3 = c.FileStore.S3;
            if (string.IsNullOrWhiteSpace(s3.Bucket) || !S3BucketName().IsMatch(s3.Bucket))
                Fail("file_store.s3.bucket", $"is '{s3.Bucket}'; name the bucket: 3-63 lower-case letters, digits, dots and dashes.");
            if (!string.IsNullOrWhiteSpace(s3.Endpoint) && !(Uri.TryCreate(s3.Endpoint, UriKind.Absolute, out var endpoint) && endpoint.Scheme is "http" or "https"))
                Fail("file_store.s3.endpoint", $"is '{s3.Endpoint}'; use the server's http(s) address, e.g. https://s3.example.com, or leave it empty for AWS.");
            if (string.IsNullOrWhiteSpace(s3.Region)) Fail("file_store.s3.region", "must name a region (any name for a server that ignores it, e.g. us-east-1).");
            if (!string.IsNullOrWhiteSpace(s3.Credential) && !string.IsNullOrWhiteSpace(s3.AccessKey))
                Fail("file_store.s3.credential", "and file_store.s3.access_key both give the keys; keep one.");
            // An access key without its secret is only known to be incomplete where the secret would come from (the
            // environment of the running portal): the store says so when it connects.
            if (string.IsNullOrWhiteSpace(s3.AccessKey) && !string.IsNullOrWhiteSpace(s3.SecretKey))
                Fail("file_store.s3.secret_key", "goes with file_store.s3.access_key: give both, or neither.");
        }
        if (c.FileStore.MaxUploadMb <= 0) Fail("file_store.max_upload_mb", $"must be more than 0 (it is {c.FileStore.MaxUploadMb}).");

        var cm = c.ContainerManager;
        if (!ContainerManagerTypes.Contains(cm.Type))
            Fail("container_manager.type", $"is '{cm.Type}'; use one of {string.Join(", ", ContainerManagerTypes)}.");
        if (cm.ApiTimeout <= 0) Fail("container_manager.api_timeout", $"must be a number of seconds above 0 (it is {cm.ApiTimeout}).");
        if (cm.GiveUpMinutes <= 0) Fail("container_manager.give_up_minutes", $"must be a number of minutes above 0 (it is {cm.GiveUpMinutes}).");
        if (cm.ReconcileSeconds < 1) Fail("container_manager.reconcile_seconds", $"must be at least 1 second (it is {cm.ReconcileSeconds}).");
        if (cm.OrphanGraceSeconds < 0) Fail("container_manager.orphan_grace_seconds", $"must be 0 or more seconds (it is {cm.OrphanGraceSeconds}).");
        foreach (var (name, profile) in cm.ResourceProfiles)
            ValidateProfile($"container_manager.resource_profiles.{name}", name, profile, Fail);
        var hc = cm.Healthcheck;
        foreach (var (key, value) in new[] { ("start_period", hc.StartPeriod), ("interval", hc.Interval), ("timeout", hc.Timeout), ("retries", hc.Retries) })
            if (value < (key == "start_period" ? 0 : 1))
                Fail($"container_manager.healthcheck.{key}", $"must be {(key == "start_period" ? "0 or more" : "at least 1")} (it is {value}).");

        for (var i = 0; i < c.Security.HostPaths.Count; i++)
            if (c.Security.HostPaths[i] is not { Length: > 0 } hostPath || !Path.IsPathRooted(hostPath) || hostPath.Split('/').Contains(".."))
                Fail($"security.host_paths[{i}]", $"is '{c.Security.HostPaths[i]}'; write an absolute folder on the portal's host, e.g. /srv/ml-projects.");
        for (var i = 0; i < c.Security.PushRegistries.Count; i++)
            if (Builds.ProjectImages.RegistryProblem(c.Security.PushRegistries[i]) is not null)
                Fail($"security.push_registries[{i}]", $"is '{c.Security.PushRegistries[i]}'; write a registry as host[:port][/path], e.g. registry.example.com:5000/team.");

        if (!c.Docker.DaemonAddress.StartsWith("unix:", StringComparison.Ordinal) && !c.Docker.DaemonAddress.StartsWith("tcp://", StringComparison.Ordinal))
            Fail("docker.daemon_address", $"is '{c.Docker.DaemonAddress}'; write unix:/path/to/docker.sock or tcp://host:port.");

        if (NameRules.Check(c.Kube.Namespace, "namespace") is { } ns) Fail("kube.namespace", ns);
        if (!StorageQuantity().IsMatch(c.Kube.VolumeSize ?? ""))
            Fail("kube.volume_size", $"is '{c.Kube.VolumeSize}'; write a size such as 5Gi, 500Mi or 1Ti.");
        if (c.Kube.VolumeAccessMode is not ("ReadWriteOnce" or "ReadWriteMany" or "ReadWriteOncePod"))
            Fail("kube.volume_access_mode", $"is '{c.Kube.VolumeAccessMode}'; use ReadWriteOnce, ReadWriteMany or ReadWriteOncePod.");

        if (c.Router.TimeoutSeconds <= 0) Fail("router.timeout_seconds", "must be above 0.");

        if (c.Auth.Mode is not ("local" or "oidc")) Fail("auth.mode", $"is '{c.Auth.Mode}'; use 'local' or 'oidc'.");
        if (c.Auth.Mode == "oidc" && (string.IsNullOrWhiteSpace(c.Auth.Oidc?.Issuer) || string.IsNullOrWhiteSpace(c.Auth.Oidc?.ClientId)))
            Fail("auth.oidc", "needs 'issuer' and 'client_id' when auth.mode is 'oidc'.");
        if (c.Auth.Oidc is { Issuer: { Length: > 0 } issuer } oidc)
        {
            if (!Uri.TryCreate(issuer, UriKind.Absolute, out var issuerUri) || issuerUri.Scheme is not ("https" or "http"))
                Fail("auth.oidc.issuer", $"is '{issuer}'; write the provider's issuer URL, e.g. https://idp.example.com/realms/portal.");
            else if (issuerUri.Scheme == "http" && oidc.RequireHttps)
                Fail("auth.oidc.issuer", $"is '{issuer}', not https; use https, or set auth.oidc.require_https: false for a provider on loopback.");
            if (oidc.Scopes.Count > 0 && !oidc.Scopes.Contains("openid"))
                Fail("auth.oidc.scopes", "must include 'openid'.");
        }
        for (var i = 0; i < c.Auth.TrustedProxies.Count; i++)
            if (!System.Net.IPNetwork.TryParse(c.Auth.TrustedProxies[i], out _) && !System.Net.IPAddress.TryParse(c.Auth.TrustedProxies[i], out _))
                Fail($"auth.trusted_proxies[{i}]", $"is '{c.Auth.TrustedProxies[i]}'; write an address (10.0.0.7) or a CIDR range (10.0.0.0/8).");
        if (c.Auth.Mode == "local" && !c.Auth.LocalAccounts)
            Fail("auth.local_accounts", "cannot be false when auth.mode is 'local': nobody could sign in.");
        foreach (var (from, to) in c.Auth.RoleMap)
            if (!Security.Roles.IsKnown(to))
                Fail($"auth.role_map.{from}", $"maps to '{to}', which is not a role; use {string.Join(", ", Security.Roles.All)}.");
        if (c.Auth.SessionHours is <= 0 or > 24 * 30)
            Fail("auth.session_hours", $"must be above 0 and at most 720 (it is {c.Auth.SessionHours}).");

        if (!LogLevels.Contains(c.Logger.Level)) Fail("logger.level", $"is '{c.Logger.Level}'; use one of {string.Join(", ", LogLevels)}.");
        if (c.Ide.CullIdleSeconds < 10) Fail("ide.cull_idle_seconds", $"must be at least 10 seconds (it is {c.Ide.CullIdleSeconds}).");
        if (c.Ide.CullCheckSeconds < 1) Fail("ide.cull_check_seconds", $"must be at least 1 second (it is {c.Ide.CullCheckSeconds}).");
        if (UserProblem(c.ContainerManager.User) is { } userProblem) Fail("container_manager.user", userProblem);
        foreach (var (image, user) in c.ContainerManager.ImageUsers)
            if (UserProblem(user) is { } imageUserProblem) Fail($"container_manager.image_users.{image}", imageUserProblem);
        if (Names.NameRules.Check(c.Docker.Network, "network name") is { } networkProblem) Fail("docker.network", networkProblem);
        if (c.Ide.Origin is { Length: > 0 } ideOrigin && IdeOriginProblem(ideOrigin) is { } originProblem) Fail("ide.origin", originProblem);
        if (c.Ide.VolumePrefix is { Length: > 0 } prefix && Names.NameRules.Check(prefix, "volume prefix") is { } prefixProblem)
            Fail("ide.volume_prefix", prefixProblem);
        if (c.Ide.Port is < 0 or > 65535) Fail("ide.port", $"is {c.Ide.Port}; use a TCP port (1-65535), or 0 for the portal's port plus one.");
        if (c.Environments.Count == 0) Fail("environments", "needs at least one environment (new model versions land in the first), e.g. [dev, test, prod].");
        foreach (var (env, i) in c.Environments.Select((e, i) => (e, i)))
        {
            if (Names.NameRules.Check(env, "environment name") is { } problem) Fail($"environments[{i}]", problem);
            else if (c.Environments.IndexOf(env) != i) Fail($"environments[{i}]", $"'{env}' is listed twice.");
        }
        return v;
    }

    /// <summary>uid or uid:gid, numbers, never root: user code must not run as root in its container.</summary>
    private static string? UserProblem(string user)
    {
        var parts = user.Split(':');
        if (parts.Length > 2 || parts.Any(p => !uint.TryParse(p, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _)))
            return $"is '{user}'; write a numeric uid or uid:gid, e.g. 1000:1000.";
        return parts[0] == "0" || uint.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture) == 0
            ? $"is '{user}'; user code never runs as root (uid 0): choose an unprivileged uid such as 1000." : null;
    }

    private static string? IdeOriginProblem(string origin)
    {
        var probe = origin.Replace("{user}", "user", StringComparison.Ordinal);
        if (!Uri.TryCreate(probe, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            return $"is '{origin}'; write an absolute http(s) URL such as https://ide.example.com or https://{{user}}.ide.example.com.";
        if (uri.AbsolutePath != "/" || uri.Query.Length > 0) return $"is '{origin}'; an origin has no path or query (sessions are under /ide/ there).";
        if (origin.Contains("{user}", StringComparison.Ordinal) && !uri.Host.StartsWith("user.", StringComparison.Ordinal))
            return $"is '{origin}'; {{user}} may only be the first label of the host name (https://{{user}}.ide.example.com).";
        return null;
    }

    private static void ValidateProfile(string path, string name, ResourceProfile p, Action<string, string> fail)
    {
        if (NameRules.Check(name, "profile name") is { } bad) fail(path, bad);
        foreach (var (part, amounts) in new[] { ("requests", p.Requests), ("limits", p.Limits) })
        {
            if (amounts is null) continue;
            if (amounts.Cpu is { } cpu && (cpu <= 0 || Math.Abs(cpu * 1000 - Math.Round(cpu * 1000)) > 1e-6))
                fail($"{path}.{part}.cpu", $"is {cpu}; cpu is in cores, above 0, with at most 3 decimals (0.001 = one millicore).");
            if (amounts.Memory is { } mem && mem <= 0)
                fail($"{path}.{part}.memory", $"is {mem}; memory is in MB and must be above 0.");
        }
        if (p.Requests?.Cpu > p.Limits?.Cpu) fail($"{path}.requests.cpu", $"({p.Requests.Cpu}) is more than the limit ({p.Limits!.Cpu}).");
        if (p.Requests?.Memory > p.Limits?.Memory) fail($"{path}.requests.memory", $"({p.Requests.Memory} MB) is more than the limit ({p.Limits!.Memory} MB).");
        if (p.ServiceType is not null && !ServiceTypes.Contains(p.ServiceType))
            fail($"{path}.service_type", $"is '{p.ServiceType}'; use one of {string.Join(", ", ServiceTypes)}.");
        if (p.MinReplicas is < 1) fail($"{path}.minReplicas", "must be at least 1.");
        if (p.MinReplicas > p.MaxReplicas) fail($"{path}.maxReplicas", "must not be less than minReplicas.");
        if (p.TargetCpuUtilizationPercentage is < 1 or > 100) fail($"{path}.targetCPUUtilizationPercentage", "must be between 1 and 100.");
    }

    /// <summary>A whole number or decimal with an optional binary or decimal suffix: what a claim's storage request accepts.</summary>
    [GeneratedRegex(@"^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$")]
    private static partial Regex StorageQuantity();

    [GeneratedRegex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")]
    private static partial Regex S3BucketName();
}
