namespace Portal.Core.Security;

/// <summary>Encrypts secrets kept in the metadata store (the web host implements it with ASP.NET Core Data Protection).</summary>
public interface ISecretProtector
{
    string Protect(string secret);
    string Unprotect(string protectedSecret);
}
