using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Portal.Core.Configuration;
using Portal.Core.Entities;
using Portal.Core.Security;

namespace Portal.Core.Storage;

/// <summary>The S3 client of <c>file_store.s3</c>: its server, addressing and keys.</summary>
public static class S3Clients
{
    /// <param name="vault">Where <c>file_store.s3.credential</c> is read from (not needed without one).</param>
    public static IAmazonS3 Create(S3Config c, CredentialVault? vault)
    {
        var config = new AmazonS3Config
        {
            ForcePathStyle = c.PathStyle,
            // Servers other than AWS often refuse the SDK's default checksums (aws-chunked trailers): send them only where required.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (string.IsNullOrWhiteSpace(c.Endpoint)) config.RegionEndpoint = RegionEndpoint.GetBySystemName(c.Region);
        else
        {
            config.ServiceURL = c.Endpoint;
            config.AuthenticationRegion = c.Region;
        }
        if (!string.IsNullOrWhiteSpace(c.Credential))
            return new AmazonS3Client(new VaultCredentials(vault ?? throw new InvalidOperationException("file_store.s3.credential needs the vault."), c.Credential.Trim()), config);
        if (!string.IsNullOrWhiteSpace(c.AccessKey))
            return new AmazonS3Client(new BasicAWSCredentials(c.AccessKey, c.SecretKey ?? throw new InvalidOperationException(
                "file_store.s3.access_key is set but no secret key: set PORTAL__FILE_STORE__S3__SECRET_KEY (or file_store.s3.secret_key in portal.yaml).")), config);
        // Neither: the SDK's own chain (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, a profile, an instance role).
        return new AmazonS3Client(config);
    }

    /// <summary>The keys of an s3 credential in the vault (key_id in its details, the secret key as its secret), read once when first needed.</summary>
    private sealed class VaultCredentials(CredentialVault vault, string name) : AWSCredentials
    {
        private static readonly Actor Portal = new("portal (file store)", [Roles.Admin], null);
        private ImmutableCredentials? _keys;

        public override ImmutableCredentials GetCredentials() => GetCredentialsAsync().GetAwaiter().GetResult();

        public override async Task<ImmutableCredentials> GetCredentialsAsync()
        {
            if (_keys is not null) return _keys;
            var (credential, secret) = await vault.RevealAsync(Portal, name, CancellationToken.None);
            if (credential.Kind != CredentialKind.S3)
                throw new InvalidOperationException($"file_store.s3.credential names '{name}', a {credential.Kind} credential; it must be an s3 one.");
            var keyId = CredentialVault.Detail(credential, "key_id")
                ?? throw new InvalidOperationException($"The s3 credential '{name}' has no key_id in its details.");
            return _keys = new ImmutableCredentials(keyId, secret, null);
        }
    }
}
