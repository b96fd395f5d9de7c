using Portal.Core.Configuration;
using Portal.Core.Containers;

namespace Portal.Orchestration.Docker;

/// <summary>
/// What both Docker managers (Swarm services, plain containers) check before anything starts, so a bad request is
/// a clear error instead of a task that waits or fails later: GPU profiles, capacity, the image, bind sources.
/// Also adds the portal's toolkit to the workload.
/// </summary>
public static class EnginePreflight
{
    public static async Task<WorkloadSpec> PrepareAsync(DockerEngine docker, WorkloadSpec spec, string where, CancellationToken ct)
    {
        if (spec.Resources?.EnableGpu == true)
            throw new ContainerManagerException("GPU resource profiles are not supported on Docker by the portal; choose a profile without enable_gpu, or use Kubernetes.");
        if (spec.Resources?.Requests is not null)
        {
            var info = await docker.InfoAsync(ct);
            ResourceCapacity.Check(spec.Resources, info.NCPU, info.MemTotal, where);
        }
        if (spec.Kind == WorkloadKind.Service && spec.Replicas < 1)
            throw new ContainerManagerException($"'{spec.Name}' asks for {spec.Replicas} replicas; a service needs at least one.");
        if (await docker.ImageIdAsync(spec.Image, ct) is null)
            throw new ContainerManagerException(spec.Image == Portal.Core.Builds.ProjectImages.NotebookBase
                ? $"The notebook base image '{spec.Image}' is not on this host: build it once with deploy/images/notebook-base/build.sh (as root), or build the project and pick its image."
                : $"The image '{spec.Image}' is not on this host. Build the project first, or check the build tag.");
        foreach (var mount in spec.Mounts.Where(m => m.Kind == MountKind.Bind))
            if (!Directory.Exists(mount.Source) && !File.Exists(mount.Source))
                throw new ContainerManagerException($"'{mount.Source}' does not exist, so it cannot be mounted at {mount.Target}.");
        return WithToolkit(spec);
    }

    /// <summary>
    /// The portal's own toolkit, read-only, first on PYTHONPATH (see <see cref="PortalToolkit"/>). Work that may run on
    /// any node fetches it from the portal instead: the folder exists on the portal's host only.
    /// </summary>
    private static WorkloadSpec WithToolkit(WorkloadSpec spec)
    {
        if (spec.AnyNode || !Directory.Exists(PortalToolkit.Directory) || spec.Mounts.Any(m => m.Target == PortalToolkit.ContainerPath)) return spec;
        var env = new Dictionary<string, string>(spec.Env);
        env["PYTHONPATH"] = env.TryGetValue("PYTHONPATH", out var path) && path.Length > 0 ? $"{PortalToolkit.ContainerPath}:{path}" : PortalToolkit.ContainerPath;
        return spec with { Env = env, Mounts = [.. spec.Mounts, new MountSpec(PortalToolkit.Directory, PortalToolkit.ContainerPath, ReadOnly: true)] };
    }

    /// <summary>Cores become nano-CPUs and megabytes bytes, exactly.</summary>
    public static long NanoCpus(double cores) => (long)Math.Round(cores * 1_000_000_000);

    public static long Bytes(int megabytes) => megabytes * 1024L * 1024;

    public static string WorkloadName(WorkloadSpec spec) => $"portal-{spec.Name}-{Guid.NewGuid().ToString("N")[..6]}";
}
