using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Portal.Core.Builds;
using Portal.Core.Configuration;
using Portal.Core.Containers;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Logs;
using Portal.Core.Notifications;
using Portal.Core.Security;
using Portal.Core.Storage;
using Portal.Core.Stores;

namespace Portal.Core.Packages;

/// <summary>
/// Packages model versions into images (Odahu's packagers) and owns each packaging run: it alone changes a package's
/// state, image and log. <see cref="PackageValidator"/> checks a request; the run writes a build context
/// (<see cref="PackageContext"/>), builds it on the engine with its output in the log book, and records the image's id.
/// Each change is published on the <see cref="ChangeFeed{T}"/>.
/// </summary>
public sealed class PackageService(
    PackageValidator validator, IPackageStore store, IDeploymentStore deployments, IImageBuilder images, IGitClient git, IFileStore files, TaskLogBook logs, PortalPaths paths,
    ChangeFeed<ModelPackage> feed, TimeProvider clock, ILogger<PackageService> logger)
{
    private readonly ConcurrentDictionary<long, Task> _work = new();
    private CancellationToken _stopping = CancellationToken.None;

    /// <summary>Called once by the host: its token stops the runs when the portal shuts down; a run the last portal left is failed.</summary>
    public async Task StartAsync(CancellationToken stopping)
    {
        _stopping = stopping;
        foreach (var orphan in await store.ListActiveAsync(stopping))
            await EndAsync(orphan.Id, TaskState.Failed, "The portal stopped while this package was being made; package the version again.", null, null, stopping);
    }

    public Task<Page<ModelPackage>> ListAsync(PageRequest page, ModelVersion? of, CancellationToken ct) => store.ListAsync(page.Normalized(), of?.Id, ct);

    public async Task<ModelPackage> GetAsync(string name, CancellationToken ct) =>
        await store.FindAsync(name, ct) ?? throw new NotFoundException("package", name);

    /// <summary>The packaging log, followed while the run goes on.</summary>
    public IAsyncEnumerable<LogLine> FollowLogAsync(ModelPackage package, CancellationToken ct) => logs.FollowAsync(package.LogKey, ct);

    /// <summary>Waits for the runs in progress (tests, shutdown).</summary>
    public Task WhenIdleAsync() => Task.WhenAll(_work.Values);

    public async Task<ModelPackage> StartAsync(PackageRequest request, CancellationToken ct)
    {
        var plan = await validator.CheckAsync(request, ct);
        if (await images.UnavailableAsync(ct) is { } why) throw new ContainerManagerException(why);
        var now = clock.GetUtcNow().UtcDateTime;
        var package = await store.AddAsync(new ModelPackage
        {
            Name = plan.Name, Kind = plan.Kind, ModelVersionId = plan.Version.Id, ModelVersion = plan.Version,
            VersionRef = $"{plan.Version.Model!.Name}/{plan.Version.Name}", ProjectId = plan.Project.Id, ProjectName = plan.Project.Name,
            BuildTag = plan.Build?.Tag, GitRef = plan.Git?.Ref, Entry = plan.Entry, Image = plan.Image, CreatedBy = ActorContext.Current?.Name, CreatedAt = now,
            Task = new TaskInfo { State = TaskState.Running, StartTime = now, UpdateTime = now, Message = "Packaging." },
        }, ct);
        package = await store.MutateAsync(package.Id, p => p.LogKey = $"packages/{p.Id}", ct);
        logs.Open(package.LogKey);
        feed.Publish(package);
        _work[package.Id] = Task.Run(() => RunAsync(package, plan, _stopping), CancellationToken.None);
        return package;
    }

    public async Task DeleteAsync(string name, CancellationToken ct)
    {
        var package = await GetAsync(name, ct);
        if (package.Task.State is TaskState.Waiting or TaskState.Running)
            throw new ConflictException($"The package '{name}' is being made; wait for it to end.");
        if (await deployments.ServingPackageAsync(package.Id, ct) is { } deployment)
            throw new ConflictException($"The deployment '{deployment}' serves the package '{name}'; remove that deployment first.");
        await store.DeleteAsync(package.Id, ct);
        // Published as it was: subscribers that look it up find it gone.
        feed.Publish(package);
    }

    private async Task RunAsync(ModelPackage package, PackagePlan plan, CancellationToken ct)
    {
        var log = logs.Open(package.LogKey);
        Task Say(string line) { log.Append(new LogLine(clock.GetUtcNow().UtcDateTime, LogSource.Stdout, line)); return Task.CompletedTask; }
        // Named for this process, so that a start after a crash removes what it left (ArtifactRepair).
        var context = Path.Combine(paths.DataDir, "work", "builds", $"{OwnerProcess.Tag}_package-{package.Id.ToString(CultureInfo.InvariantCulture)}");
        var state = TaskState.Failed;
        string? message = null, imageId = null, digest = null;
        try
        {
            await Say($"Packaging {package.VersionRef} as {package.Kind.ToString().ToLowerInvariant()} into {package.Image}");
            var modelFolder = await ArtifactFolders.OfModelVersionAsync(files, plan.Version, Path.Combine(context, "unpacked"), ct);
            var codeFolder = plan.ImageCodeDir is not null ? null : plan.Project.HomeDir;
            if (plan.Git is { } source)
            {
                codeFolder = Path.Combine(context, "checkout");
                await Say($"Cloning {source.Repository} at {source.Ref ?? "its default branch"}{(source.CredentialName is { } c ? $" with the credential '{c}'" : "")}");
                var commit = await git.CheckoutAsync(source.Repository, source.Ref, codeFolder, source.Auth, Say, ct);
                await Say($"Commit {commit}");
                feed.Publish(await store.MutateAsync(package.Id, p => p.GitCommit = commit, ct));
            }
            await PackageContext.WriteAsync(Path.Combine(context, "image"), plan, modelFolder, codeFolder, Say, ct);
            imageId = await images.BuildAsync(Path.Combine(context, "image"), package.Image, "Dockerfile", Say, ct);
            await Say($"Made {package.Image} ({imageId})");
            if (plan.Push)
            {
                await Say($"Pushing {package.Image}{(plan.CredentialName is { } c ? $" with the credential '{c}'" : "")}");
                digest = await images.PushAsync(package.Image, plan.PushAuth, Say, ct);
                await Say($"Pushed {package.Image}@{digest}");
            }
            (state, message) = (TaskState.Finished, null);
        }
        catch (OperationCanceledException) { message = "The portal stopped during packaging; package the version again."; }
        catch (PortalException e) { message = e.Message; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            message = $"The package could not be made: {e.Message}";
        }
        catch (Exception e)
        {
            logger.LogError(e, "Package {Package} failed unexpectedly", package.Name);
            message = $"The package failed unexpectedly: {e.Message}";
        }
        finally
        {
            if (message is not null) log.Append(new LogLine(clock.GetUtcNow().UtcDateTime, LogSource.Stderr, message));
            try { if (Directory.Exists(context)) Directory.Delete(context, recursive: true); }
            catch (IOException e) { logger.LogWarning("Could not remove {Context}: {Message}", context, e.Message); }
            try { await logs.PersistAndCloseAsync(package.LogKey, CancellationToken.None); }
            catch (IOException e) { logger.LogWarning("Could not store the log of package {Package}: {Message}", package.Name, e.Message); }
            await EndAsync(package.Id, state, message, imageId, digest, CancellationToken.None);
            _work.TryRemove(package.Id, out _);
            logger.LogInformation("Package {Package} ended {State}", package.Name, state);
        }
    }

    private async Task<ModelPackage> EndAsync(long id, TaskState state, string? message, string? imageId, string? digest, CancellationToken ct)
    {
        var ended = await store.MutateAsync(id, p =>
        {
            p.ImageId = imageId ?? p.ImageId;
            p.Digest = digest ?? p.Digest;
            p.Task = p.Task with { State = state, Message = message, Progress = state == TaskState.Finished ? 1 : p.Task.Progress, UpdateTime = clock.GetUtcNow().UtcDateTime };
        }, ct);
        feed.Publish(ended);
        return ended;
    }
}
