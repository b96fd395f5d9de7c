using System.Security.Cryptography.X509Certificates;

namespace Portal.Orchestration.Kubernetes;

/// <summary>
/// Where the API server is and how to prove who we are: what a kubeconfig context or the in-cluster service account
/// comes down to. <see cref="TokenFile"/> is read again as it changes (bound service-account tokens rotate).
/// </summary>
public sealed record KubeConnection(
    Uri Server,
    string Context,
    string? Namespace,
    string? Token,
    string? TokenFile,
    string? Username,
    string? Password,
    X509Certificate2? ClientCertificate,
    X509Certificate2Collection? CertificateAuthorities,
    bool InsecureSkipTlsVerify,
    string? TlsServerName);
