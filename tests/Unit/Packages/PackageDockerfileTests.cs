using System.Text.Json;
using Portal.Core.Containers;
using Portal.Core.Entities;
using Portal.Core.Packages;
using Portal.Tests.Unit.Support;

namespace Portal.Tests.Unit.Packages;

/// <summary>
/// A version's details are the user's text and land in the package's Dockerfile (ENV PORTAL_META, LABEL): quotes,
/// <c>$</c>, backslashes and newlines must reach the image as text, never end the string, expand, or add an instruction.
/// Built by the real engine.
/// </summary>
public sealed class PackageDockerfileTests
{
    [SkippableFact]
    public async Task Hostile_version_details_reach_the_image_environment_as_text()
    {
        await RealDocker.RequireAsync();
        var busybox = await RealDocker.BusyboxAsync();
        const string hostile = "a \"quoted\" $HOME ${PATH} \\\\ back\\slash\\\nRUN touch /pwned\n\\";
        var model = new Model { Name = "iris-clf" };
        var version = new ModelVersion
        {
            Model = model, Name = "1",
            Details = new() { ["note"] = JsonSerializer.SerializeToElement(hostile), ["$key\"\n"] = JsonSerializer.SerializeToElement("\\\"") },
        };
        var project = new Project { Name = "iris", Models = [model] };
        var plan = new PackagePlan("hostile", PackageKind.Rest, version, project, null, "predict.py", null, "unused");
        var dockerfile = PackageContext.Dockerfile(plan);

        // The package's own ENV and LABEL instructions, on busybox: nothing else of the package is needed to read them back.
        var lines = dockerfile.Split('\n');
        var env = lines.SkipWhile(l => !l.StartsWith("ENV ", StringComparison.Ordinal)).ToList();
        env = env.Take(env.FindIndex(l => !l.EndsWith('\\')) + 1).ToList();
        var label = lines.Single(l => l.StartsWith("LABEL ", StringComparison.Ordinal));
        using var dir = new TempDir();
        dir.File("Dockerfile", $"FROM {busybox}\n{string.Join('\n', env)}\n{label}\n");
        var image = $"portal-test/hostile-meta:{Guid.NewGuid():N}";
        try
        {
            await PackageTests.DockerAsync("build", "-q", "-t", image, dir.Path);
            var config = JsonDocument.Parse(await PackageTests.DockerAsync("image", "inspect", "--format", "{{json .Config.Env}}", image)).RootElement;
            var meta = config.EnumerateArray().Select(e => e.GetString()!).Single(e => e.StartsWith(WorkloadMeta.EnvVar + "=", StringComparison.Ordinal))
                [(WorkloadMeta.EnvVar.Length + 1)..];
            Assert.Equal(WorkloadMeta.ForDeployment(project, "hostile", version), meta);
            Assert.Equal(hostile, JsonDocument.Parse(meta).RootElement.GetProperty("versions")[0].GetProperty("details").GetProperty("note").GetString());
            Assert.Equal("no", (await PackageTests.DockerAsync("run", "--rm", image, "sh", "-c", "test -e /pwned && echo yes || echo no")).Trim());
        }
        finally { await PackageTests.DockerAsync("rmi", "-f", image); }
    }
}
