using System.Diagnostics;
using Portal.Core.Storage;
using Amazon.S3;
using Portal.Core.Configuration;
using Portal.Tests.Shared;

namespace Portal.Tests.Unit.Support;

/// <summary>
/// An S3-speaking server on loopback (npm's s3rver, tests/s3rver) with one empty bucket, for a test of its own. It
/// refuses an access key it does not know, but does not verify V4 signatures (a wrong secret gets in).
/// </summary>
public sealed class RealS3 : IAsyncDisposable
{
    public const string AccessKey = "S3RVER";
    public const string SecretKey = "S3RVER";
    public const string Bucket = "portal-files";
    private static readonly string Folder = Path.Combine(RepoRoot.Path, "tests", "s3rver");
    private readonly Process _process;
    private readonly TempDir _dir;

    private RealS3(Process process, TempDir dir, string endpoint) => (_process, _dir, Endpoint) = (process, dir, endpoint);

    public string Endpoint { get; }

    /// <summary>The keys of <c>file_store</c> for this server, as portal.yaml would give them.</summary>
    public string FileStoreYaml => $"file_store:\n  type: s3\n  s3:\n    endpoint: {Endpoint}\n    bucket: {Bucket}\n    path_style: true\n" +
                                   $"    access_key: {AccessKey}\n    secret_key: {SecretKey}\n";

    public S3Config Config(string accessKey = AccessKey) => new()
    {
        Endpoint = Endpoint, Bucket = Bucket, PathStyle = true, AccessKey = accessKey, SecretKey = SecretKey,
    };

    /// <summary>
    /// Multipart uploads begun and not completed, read from the server's folder (s3rver answers neither
    /// ListMultipartUploads nor AbortMultipartUpload, so a failed upload's parts stay there; real S3 drops them on abort).
    /// </summary>
    public int OpenUploads()
    {
        var uploads = Path.Combine(_dir.Path, Bucket, "._S3rver_uploads");
        return Directory.Exists(uploads) ? Directory.GetDirectories(uploads).Length : 0;
    }

    /// <summary>A client of its own, to look at the bucket from outside the portal.</summary>
    public IAmazonS3 Client() => S3Clients.Create(Config(), null);

    /// <summary>Skips loudly where node or the npm package is missing (scripts/test.sh installs both); fails under CI=true.</summary>
    public static async Task<RealS3> StartAsync()
    {
        if (!Directory.Exists(Path.Combine(Folder, "node_modules", "s3rver")))
            TestEnvironment.Missing("SKIPPED: tests/s3rver/node_modules is missing (scripts/test.sh runs npm ci there).");
        var dir = new TempDir();
        var port = TestEnvironment.FreePort();
        var process = Process.Start(new ProcessStartInfo("node", [Path.Combine(Folder, "server.js"), port.ToString(System.Globalization.CultureInfo.InvariantCulture), dir.Path, Bucket])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Folder,
        })!;
        await TestEnvironment.WaitForListenerAsync(process, port);
        return new RealS3(process, dir, $"http://127.0.0.1:{port}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        _dir.Dispose();
    }
}
