using Microsoft.AspNetCore.DataProtection;
using Portal.Core.Security;

namespace Portal.Web.Hosting;

/// <summary>Secrets in the metadata store, encrypted with the portal's Data Protection key ring (kept in the data directory).</summary>
public sealed class DataProtectionSecretProtector(IDataProtectionProvider provider) : ISecretProtector
{
    private readonly IDataProtector _protector = provider.CreateProtector("portal.secrets.v1");

    public string Protect(string secret) => _protector.Protect(secret);

    public string Unprotect(string protectedSecret) => _protector.Unprotect(protectedSecret);
}
