using YamlDotNet.Serialization;

namespace Portal.Core.Configuration;

/// <summary>
/// The portal's configuration (portal.yaml). Keys are written in snake_case in YAML; each section
/// is a class below. Defaults live in <c>portal.defaults.yaml</c>, embedded in this assembly.
/// </summary>
public sealed class PortalConfig
{
    public StoreConfig Store { get; set; } = new();
    public FileStoreConfig FileStore { get; set; } = new();
    public ContainerManagerConfig ContainerManager { get; set; } = new();
    public DockerConfig Docker { get; set; } = new();
    public KubeConfig Kube { get; set; } = new();
    public RouterConfig Router { get; set; } = new();
    public WebhooksConfig Webhooks { get; set; } = new();
    public AuthConfig Auth { get; set; } = new();
    public LoggerConfig Logger { get; set; } = new();
    public IdeConfig Ide { get; set; } = new();
    public SecurityConfig Security { get; set; } = new();
    /// <summary>Where model versions live (akerbp): new versions land in the first; the others are reached by promotion.</summary>
    public List<string> Environments { get; set; } = [];
}

/// <summary>The metadata store: <c>sqlite</c> (the embedded default) or <c>postgres</c>.</summary>
public sealed class StoreConfig
{
    public string Type { get; set; } = "sqlite";
    /// <summary>
    /// For <c>postgres</c>: an Npgsql connection string (Host=…;Port=…;Database=…;Username=…;Password=…), also from
    /// PORTAL__STORE__CONNECTION_STRING so the password need not sit in portal.yaml.
    /// </summary>
    public string? ConnectionString { get; set; }
    /// <summary>Directory holding the database, the file store (by default) and other state. <c>~</c> expands to the home directory.</summary>
    public string DataDir { get; set; } = "~/.portal/data";
    /// <summary>The SQLite file name inside <see cref="DataDir"/>.</summary>
    public string Database { get; set; } = "portal.db";
}

/// <summary>The file store ("island" for datasets, model files, notebooks and logs): <c>local</c> or <c>s3</c>.</summary>
public sealed class FileStoreConfig
{
    public string Type { get; set; } = "local";
    public S3Config S3 { get; set; } = new();
    /// <summary>Root directory of the local file store; empty means <c>&lt;data_dir&gt;/files</c>.</summary>
    public string? Path { get; set; }
    /// <summary>Largest request an upload may send, in MB (all files of one dataset together).</summary>
    public double MaxUploadMb { get; set; } = 1024;

    /// <summary>This section without its secret, as the settings store keeps it (secrets stay in portal.yaml, the environment or the vault).</summary>
    public FileStoreConfig WithoutSecret()
    {
        var copy = (FileStoreConfig)MemberwiseClone();
        copy.S3 = S3.WithoutSecret();
        return copy;
    }
}

/// <summary>An S3 bucket (AWS, or any server speaking its API) as the file store.</summary>
public sealed class S3Config
{
    /// <summary>The server's address, e.g. http://minio.internal:9000; empty means AWS itself (by region).</summary>
    public string? Endpoint { get; set; }
    public string? Bucket { get; set; }
    public string Region { get; set; } = "us-east-1";
    /// <summary>Addresses objects as ENDPOINT/BUCKET/KEY (most servers besides AWS need it) instead of BUCKET.ENDPOINT/KEY.</summary>
    public bool PathStyle { get; set; }
    /// <summary>A folder inside the bucket for the portal's objects (empty: the bucket's root).</summary>
    public string? Prefix { get; set; }
    public string? AccessKey { get; set; }
    /// <summary>Never saved in the portal's settings: from portal.yaml or PORTAL__FILE_STORE__S3__SECRET_KEY.</summary>
    public string? SecretKey { get; set; }
    /// <summary>Instead of the keys: an admin's s3 credential in the vault (key_id in its details, the secret key as its secret).</summary>
    public string? Credential { get; set; }

    public S3Config WithoutSecret() => WithSecret(null);

    public S3Config WithSecret(string? secret)
    {
        var copy = (S3Config)MemberwiseClone();
        copy.SecretKey = secret;
        return copy;
    }
}

public sealed class ContainerManagerConfig
{
    /// <summary><c>local</c> (host processes), <c>swarm</c> or <c>kube</c>.</summary>
    public string Type { get; set; } = "local";
    /// <summary>Seconds to wait for the manager to complete a requested action.</summary>
    public int ApiTimeout { get; set; } = 20;
    /// <summary>Minutes the engine may stay unreachable before a run following it is given up (FAILED, saying so).</summary>
    public double GiveUpMinutes { get; set; } = 15;
    /// <summary>Seconds between reconciliations of what the engine runs with what the portal knows (orphans, lost runs).</summary>
    public double ReconcileSeconds { get; set; } = 60;
    /// <summary>Seconds a workload of no run (or of an ended one) is left alone before it is removed as an orphan.</summary>
    public double OrphanGraceSeconds { get; set; } = 120;
    public Dictionary<string, ResourceProfile> ResourceProfiles { get; set; } = [];
    public HealthcheckConfig Healthcheck { get; set; } = new();
    /// <summary>Python used by the local manager (needs nbclient and ipykernel); empty means /usr/bin/python3, else python3 on PATH.</summary>
    public string? LocalPython { get; set; }
    /// <summary>
    /// The host account local processes run as when the portal runs as root; empty: portal-work, a system account the
    /// portal creates when missing.
    /// </summary>
    public string? LocalRunAs { get; set; }
    /// <summary>Address containers and processes use to reach the portal's API (progress, metrics); empty means derived from where the portal listens.</summary>
    public string? PortalUrl { get; set; }
    /// <summary>The uid[:gid] user code runs as in containers; never root (0).</summary>
    public string User { get; set; } = "1000:1000";
    /// <summary>Another uid[:gid] for images that need one, by repository (<c>registry/team/image</c>, or a prefix ending in <c>/*</c>).</summary>
    public Dictionary<string, string> ImageUsers { get; set; } = [];
}

/// <summary>Resources for a container (Noronha's format: cpu in cores, memory in MB).</summary>
public sealed class ResourceProfile
{
    public ResourceAmounts? Requests { get; set; }
    public ResourceAmounts? Limits { get; set; }
    public bool EnableGpu { get; set; }
    /// <summary>Kubernetes service type: ClusterIP, NodePort or LoadBalancer.</summary>
    public string? ServiceType { get; set; }
    public bool AutoScale { get; set; }
    [YamlMember(Alias = "minReplicas", ApplyNamingConventions = false)]
    public int? MinReplicas { get; set; }
    [YamlMember(Alias = "maxReplicas", ApplyNamingConventions = false)]
    public int? MaxReplicas { get; set; }
    [YamlMember(Alias = "targetCPUUtilizationPercentage", ApplyNamingConventions = false)]
    public int? TargetCpuUtilizationPercentage { get; set; }
}

public sealed class ResourceAmounts
{
    /// <summary>vCores; precision finer than 0.001 is not allowed.</summary>
    public double? Cpu { get; set; }
    /// <summary>Megabytes.</summary>
    public int? Memory { get; set; }
}

/// <summary>How the manager probes each container of a deployment.</summary>
public sealed class HealthcheckConfig
{
    public bool Enabled { get; set; }
    public int StartPeriod { get; set; } = 60;
    public int Interval { get; set; } = 30;
    public int Timeout { get; set; } = 3;
    public int Retries { get; set; } = 3;
}

public sealed class DockerConfig
{
    public string DaemonAddress { get; set; } = "unix:/var/run/docker.sock";
    public string? TargetRegistry { get; set; }
    public string? RegistrySecret { get; set; }
    /// <summary>
    /// The network work joins instead of the host's (an attachable overlay on Swarm, a bridge for plain containers),
    /// created when missing; containers reach the portal through the host's address on it.
    /// </summary>
    public string Network { get; set; } = "portal-work";
}

public sealed class KubeConfig
{
    /// <summary>Path of a kubeconfig file; empty means in-cluster configuration or ~/.kube/config.</summary>
    public string? Kubeconfig { get; set; }
    public string? Context { get; set; }
    public string Namespace { get; set; } = "default";
    public string StorageClass { get; set; } = "standard";
    /// <summary>Size of each claim made for a named volume (IDE homes, the shared folder), as a Kubernetes quantity.</summary>
    public string VolumeSize { get; set; } = "5Gi";
    /// <summary>ReadWriteOnce suits one node; the shared IDE folder across nodes needs ReadWriteMany from the storage class.</summary>
    public string VolumeAccessMode { get; set; } = "ReadWriteOnce";
    public NfsConfig? Nfs { get; set; }
    /// <summary>A docker credential of the vault the cluster pulls images with (made into a pull secret); docker.registry_secret names an existing one instead.</summary>
    public string? RegistryCredential { get; set; }
}

public sealed class NfsConfig
{
    public string? Server { get; set; }
    public string? Path { get; set; }
}

/// <summary>The model router: the portal's endpoint that forwards prediction requests to deployments.</summary>
public sealed class RouterConfig
{
    public bool Enabled { get; set; } = true;
    /// <summary>Record each prediction request and response for the feedback loop.</summary>
    public bool RecordRequests { get; set; } = true;
    public int TimeoutSeconds { get; set; } = 30;
    /// <summary>How long a request waits for a deployment scaled to zero to wake before it gets 503 with Retry-After.</summary>
    public int ColdStartSeconds { get; set; } = 120;
}

/// <summary>Deliveries of events to admins' webhooks: each attempt's timeout, and retries with back-off (first wait, ×4 each time).</summary>
public sealed class WebhooksConfig
{
    public int TimeoutSeconds { get; set; } = 10;
    public double RetrySeconds { get; set; } = 5;
    public int MaxAttempts { get; set; } = 6;
}

public sealed class AuthConfig
{
    /// <summary><c>local</c> (accounts in the metadata store) or <c>oidc</c> (an OpenID Connect provider; local accounts stay available when <see cref="LocalAccounts"/>).</summary>
    public string Mode { get; set; } = "local";
    public OidcConfig? Oidc { get; set; }
    /// <summary>Claim that carries the user's roles in the provider's tokens; a dotted path walks into JSON objects (Keycloak's <c>realm_access.roles</c>).</summary>
    public string RoleClaim { get; set; } = "realm_access.roles";
    /// <summary>Provider role name → portal role (Odahu's mapper); a provider role that already is a portal role name maps to itself.</summary>
    public Dictionary<string, string> RoleMap { get; set; } = [];
    /// <summary>Whether local accounts may sign in next to the provider (a break-glass admin).</summary>
    public bool LocalAccounts { get; set; } = true;
    /// <summary>How long a browser session lasts without activity, in hours.</summary>
    public double SessionHours { get; set; } = 8;
    /// <summary>
    /// Addresses or CIDR ranges of reverse proxies (an ingress, a load balancer) whose X-Forwarded-For and
    /// X-Forwarded-Proto are believed: the portal then sees the caller's address (audit) and https (secure cookies,
    /// sign-in redirects). Empty believes nobody.
    /// </summary>
    public List<string> TrustedProxies { get; set; } = [];
}

public sealed class OidcConfig
{
    public string? Issuer { get; set; }
    public string? ClientId { get; set; }
    public string? ClientSecret { get; set; }
    public List<string> Scopes { get; set; } = [];
    /// <summary>The sign-in button's text.</summary>
    public string DisplayName { get; set; } = "Single sign-on";
    /// <summary>The claim that names the user (made into a portal user name).</summary>
    public string UserClaim { get; set; } = "preferred_username";
    /// <summary>The <c>aud</c> that bearer tokens sent to the API must carry; the client id when empty.</summary>
    public string? Audience { get; set; }
    /// <summary>Refuse a provider that is not on https (turn off only for a provider on loopback).</summary>
    public bool RequireHttps { get; set; } = true;
}

public sealed class LoggerConfig
{
    /// <summary>One of ERROR, WARN, INFO, DEBUG.</summary>
    public string Level { get; set; } = "INFO";
    /// <summary>Directory for log files; empty means console only.</summary>
    public string? Directory { get; set; }
}

/// <summary>What users (not admins) may reach on the portal's host.</summary>
public sealed class SecurityConfig
{
    /// <summary>
    /// Host folders under which users may name a project's home directory, extra mounts of a training, an IDE's
    /// editable project and a build context (symlinks followed; never the data directory). Empty: none, only admins.
    /// </summary>
    public List<string> HostPaths { get; set; } = [];
    /// <summary>
    /// Registries (<c>host[:port][/path]</c>) users may push packages to, besides <c>docker.target_registry</c>: the engine
    /// pushes from inside the network, so an address of the user's choosing could reach internal hosts. Admins may use any.
    /// </summary>
    public List<string> PushRegistries { get; set; } = [];
}

/// <summary>Self-service IDE sessions: idle culling (the JupyterHub-on-Swarm article's culler) and the images offered.</summary>
public sealed class IdeConfig
{
    /// <summary>A session with no activity (in Jupyter or through the proxy) for this long is stopped.</summary>
    public int CullIdleSeconds { get; set; } = 3600;
    /// <summary>How often the culler looks.</summary>
    public int CullCheckSeconds { get; set; } = 60;
    /// <summary>Driver of the home and shared volumes (empty: the engine's default, <c>local</c>); with options, e.g. NFS as the article does.</summary>
    public string? VolumeDriver { get; set; }
    public Dictionary<string, string> VolumeOptions { get; set; } = [];
    /// <summary>
    /// How the home and shared volumes' names start (<c>{prefix}-home-{user}</c>, <c>{prefix}-shared</c>); empty: portal- and
    /// this installation's id, so portals sharing an engine keep apart. <c>portal</c> keeps the names of earlier versions.
    /// </summary>
    public string? VolumePrefix { get; set; }
    /// <summary>The images offered for a session besides the projects' builds (the article's base/scipy/datascience choice); admins may replace the list in the portal.</summary>
    public List<IdeImageConfig> Images { get; set; } = [];
    /// <summary>
    /// Where sessions are served, apart from the portal's own origin (a user's Jupyter runs their code, so its pages must
    /// not share the portal's origin): an absolute URL such as https://ide.example.com, or https://{user}.ide.example.com
    /// for one origin per user. Empty: a second port of the portal (<see cref="Port"/>) on the host the portal was reached at.
    /// </summary>
    public string? Origin { get; set; }
    /// <summary>The second port when <see cref="Origin"/> is empty; 0: the portal's port plus one (a free port if that is 0).</summary>
    public int Port { get; set; }
}

public sealed class IdeImageConfig
{
    public string Name { get; set; } = "";
    public string Image { get; set; } = "";
    public string? Desc { get; set; }
}
