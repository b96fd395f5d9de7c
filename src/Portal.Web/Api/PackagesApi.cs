using System.Text;
using Portal.Core.Entities;
using Portal.Core.Logs;
using Portal.Core.Packages;
using Portal.Core.Services;

namespace Portal.Web.Api;

/// <summary>Model packages (Odahu's ModelPackaging): a model version and its prediction code made into a rest or cli image.</summary>
public static class PackagesApi
{
    public sealed record PackageDto(string Name, string Kind, string? ModelVersion, string Project, string? BuildTag, string Entry, string Image,
        string? ImageId, string? Digest, string State, string? Message, string? CreatedBy, DateTime CreatedAt, DateTime? UpdatedAt, string? GitRef,
        string? GitCommit);

    public sealed record CreateDto(string? Name, string? ModelVersion, string? Project, string? Entry, string? Kind, string? BuildTag, string? Registry,
        string? Credential, string? CodeFrom, string? GitRef, string? GitCredential);

    public static PackageDto ToDto(this ModelPackage p) => new(p.Name, p.Kind.ToString().ToLowerInvariant(), p.VersionRef, p.ProjectName, p.BuildTag,
        p.Entry, p.Image, p.ImageId, p.Digest, p.Task.State.ToString().ToUpperInvariant(), p.Task.Message, p.CreatedBy, p.CreatedAt, p.Task.UpdateTime,
        p.GitRef, p.GitCommit);

    public static void MapPackagesApi(this RouteGroupBuilder v1)
    {
        var g = v1.MapGroup("/packages").WithTags("Packages");
        g.MapGet("/", async ([AsParameters] ListQuery q, string? modelVersion, PackageService s, ModelVersionService versions, CancellationToken ct) =>
            {
                var of = string.IsNullOrWhiteSpace(modelVersion) ? null : await versions.GetByReferenceAsync(modelVersion, ct);
                return (await s.ListAsync(q.ToPageRequest(), of, ct)).ToDto(p => p.ToDto());
            })
            .WithSummary("Packages, newest first; ?model_version=model/version for one version's.");
        g.MapGet("/{name}", async (string name, PackageService s, CancellationToken ct) => (await s.GetAsync(name, ct)).ToDto());
        g.MapPost("/", async (CreateDto input, PackageService s, CancellationToken ct) =>
            {
                var p = await s.StartAsync(new PackageRequest(input.Name, input.ModelVersion ?? "", input.Project ?? "", input.Entry ?? "", input.Kind ?? "rest",
                    input.BuildTag, input.Registry, input.Credential, input.CodeFrom, input.GitRef, input.GitCredential), ct);
                return Results.Accepted($"/api/v1/packages/{p.Name}", p.ToDto());
            })
            .WithSummary("Package a model version with a project's prediction code: kind rest (an image serving /api/model/invoke on 8080) "
                + "or cli (an image scoring .csv/.json files: docker run IMAGE INPUT OUTPUT). code_from: home, git (at git_ref, cloned with the vault's "
                + "git_credential) or build (the image of build_tag); empty picks git when git_ref is given, else home, build, git. With registry (host[:port][/path]) it is pushed there, "
                + "logged in with the vault's credential (docker or basic) when one is named. Follow it at /api/v1/packages/{name}.")
            .ProducesProblem(StatusCodes.Status409Conflict);
        g.MapGet("/{name}/log", async (string name, long? from, bool? follow, PackageService s, TaskLogBook logs, HttpContext http, CancellationToken ct) =>
                LogResults.For(http, logs, (await s.GetAsync(name, ct)).LogKey, from, follow, $"{name}-package.log"))
            .WithSummary("The packaging log: text (what is there so far), or with follow=true events until it ends (see the training log).");
        g.MapDelete("/{name}", async (string name, PackageService s, CancellationToken ct) =>
            {
                await s.DeleteAsync(name, ct);
                return Results.NoContent();
            })
            .WithSummary("Forget a package that is not running (its image stays on the engine).");
    }
}
