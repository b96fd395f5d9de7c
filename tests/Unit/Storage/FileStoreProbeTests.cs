using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Configuration;
using Portal.Core.Errors;
using Portal.Core.Security;
using Portal.Core.Storage;
using Portal.Tests.Unit.Support;

namespace Portal.Tests.Unit.Storage;

/// <summary>The Settings page's "Test connection" for the file store: a bucket that answers, keys it refuses, a form that is wrong, the local directory.</summary>
public sealed class FileStoreProbeTests
{
    [SkippableFact]
    public async Task A_bucket_is_written_read_and_cleaned_and_refusals_say_what_the_server_said()
    {
        await using var s3 = await RealS3.StartAsync();
        await using var portal = await RealPortalHost.StartAsync();
        var probe = portal.Services.GetRequiredService<FileStoreProbe>();
        using var admin = ActorContext.Use(new Actor("ada", [Roles.Admin], null));

        var ready = await probe.ProbeAsync(new FileStoreConfig { Type = "s3", S3 = s3.Config() }, CancellationToken.None);
        Assert.True(ready.Ready, ready.Summary);
        Assert.Contains($"Reached the bucket {RealS3.Bucket} at {s3.Endpoint}: a probe file was written, read back and removed", ready.Summary);
        using (var client = s3.Client())
            Assert.Empty((await client.ListObjectsV2Async(new Amazon.S3.Model.ListObjectsV2Request { BucketName = RealS3.Bucket })).S3Objects ?? []);

        var refused = await probe.ProbeAsync(new FileStoreConfig { Type = "s3", S3 = s3.Config(accessKey: "NOT-A-KEY") }, CancellationToken.None);
        Assert.False(refused.Ready);
        Assert.Contains("answered 403 InvalidAccessKeyId", refused.Summary);

        var unreachable = await probe.ProbeAsync(new FileStoreConfig
        {
            Type = "s3", S3 = new S3Config { Endpoint = $"http://127.0.0.1:{Portal.Tests.Shared.TestEnvironment.FreePort()}", Bucket = "b-1", PathStyle = true, AccessKey = "k", SecretKey = "s" },
        }, CancellationToken.None);
        Assert.False(unreachable.Ready);
        Assert.Contains("cannot be reached", unreachable.Summary);

        var wrong = await Assert.ThrowsAsync<ValidationFailedException>(() => probe.ProbeAsync(new FileStoreConfig { Type = "s3", S3 = new S3Config { Bucket = "Not A Bucket" } }, CancellationToken.None));
        Assert.Contains("file_store.s3.bucket", wrong.Errors.Keys);

        var local = await probe.ProbeAsync(new FileStoreConfig(), CancellationToken.None);
        Assert.True(local.Ready, local.Summary);
        Assert.Contains("Reached the directory", local.Summary);
    }

    [Fact]
    public async Task Only_an_admin_may_test_the_file_store()
    {
        await using var portal = await RealPortalHost.StartAsync();
        using var dana = ActorContext.Use(new Actor("dana", [Roles.DataScientist], null));
        await Assert.ThrowsAsync<AccessDeniedException>(() => portal.Services.GetRequiredService<FileStoreProbe>().ProbeAsync(new FileStoreConfig(), CancellationToken.None));
    }
}
