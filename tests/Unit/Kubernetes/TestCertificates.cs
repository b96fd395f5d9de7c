using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Portal.Tests.Unit.Kubernetes;

/// <summary>A cluster CA made for the test, a server certificate for 127.0.0.1 and a client certificate it signed, as PEM.</summary>
public sealed class TestCertificates
{
    public string CaPem { get; }
    public X509Certificate2 Server { get; }
    public string ClientCertPem { get; }
    public string ClientKeyPem { get; }

    public TestCertificates()
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=test-cluster-ca", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        CaPem = ca.ExportCertificatePem();

        Server = Issue(ca, "CN=kube-apiserver", server: true, out _);
        var client = Issue(ca, "CN=portal,O=portal", server: false, out var clientKey);
        ClientCertPem = client.ExportCertificatePem();
        ClientKeyPem = clientKey.ExportPkcs8PrivateKeyPem();
    }

    private static X509Certificate2 Issue(X509Certificate2 ca, string subject, bool server, out ECDsa key)
    {
        key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [server ? new Oid("1.3.6.1.5.5.7.3.1") : new Oid("1.3.6.1.5.5.7.3.2")], false));
        if (server)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(IPAddress.Loopback);
            names.AddDnsName("localhost");
            request.CertificateExtensions.Add(names.Build());
        }
        // Issued certificates end a day before the CA: a notAfter past the issuer's is refused, and "now" moves between calls.
        using var issued = request.Create(ca, ca.NotBefore.AddHours(1), ca.NotAfter.AddDays(-1), RandomNumberGenerator.GetBytes(8));
        // Kestrel needs the key with the certificate, in a form the platform can use for TLS.
        return X509CertificateLoader.LoadPkcs12(issued.CopyWithPrivateKey(key).Export(X509ContentType.Pkcs12), null);
    }
}
