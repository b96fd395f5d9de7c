using System.Globalization;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Portal.Core.Configuration;
using Portal.Core.Containers;

namespace Portal.Orchestration.Local;

/// <summary>
/// The embedded default: runs workloads as host processes instead of containers. Paths the spec mounts are used
/// in place (an argument or variable starting with a mount's target is rewritten to its source), the image is
/// ignored; resources are not enforced (requests larger than the host are refused, the CPU limit caps thread pools). Processes do not outlive the portal: after a restart they are reported
/// missing, so their trainings are marked failed with that reason.
/// </summary>
public sealed class LocalProcessManager(PortalConfig config, PortalPaths paths) : IContainerManager, IServiceControl, IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, LocalProcess> _processes = new();
    private readonly ConcurrentDictionary<string, int> _ports = new();
    private readonly Lazy<LocalAccount?> _account = new(() =>
    {
        var account = LocalAccount.Resolve(config);
        if (account is not null) LocalAccount.ProtectDataDirectory(paths);
        return account;
    });
    private readonly Lazy<string> _sharedToolkit = new(() => CopyToolkit(Path.Combine(paths.DataDir, "toolkit")));

    /// <summary>Who user code runs as when the portal is root (made or found on first use); null: the portal's own user.</summary>
    public LocalAccount? Account => _account.Value;

    public ManagerCapabilities Capabilities { get; } = new() { Kind = "local", SharesHostLoopback = true, NamedVolumes = true };

    /// <summary>The Python that runs notebooks: configured, else Debian's /usr/bin/python3, else python3 on PATH.</summary>
    public string Python => config.ContainerManager.LocalPython is { Length: > 0 } p ? p : File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";


    public static string ToolkitDirectory => PortalToolkit.Directory;

    public async Task<ManagerHealth> CheckAsync(CancellationToken ct)
    {
        var probe = new ProcessStartInfo(Python, ["-c", "import nbclient, nbformat, ipykernel; print(nbclient.__version__)"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        try
        {
            using var process = Process.Start(probe)!;
            var output = await process.StandardOutput.ReadToEndAsync(ct);
            var error = await process.StandardError.ReadToEndAsync(ct);
            await process.WaitForExitAsync(ct);
            if (process.ExitCode == 0)
                return ManagerHealth.Ok($"Local processes with {Python} (nbclient {output.Trim()}); resource limits are not enforced, only thread pools capped.");
            var missing = error.Split('\n').LastOrDefault(l => l.Contains("No module named", StringComparison.Ordinal))?.Trim() ?? error.Trim();
            return new ManagerHealth(false, "Notebooks cannot run on this host yet.",
                [$"{Python} cannot run notebooks: {missing}.", "Install them: apt-get install python3-nbclient python3-ipykernel python3-nbconvert (or set container_manager.local_python to a Python that has nbclient and ipykernel)."]);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return new ManagerHealth(false, "Notebooks cannot run on this host yet.",
                [$"'{Python}' was not found.", "Install Python 3 with nbclient: apt-get install python3 python3-nbclient python3-ipykernel python3-nbconvert."]);
        }
    }

    public Task<string> StartAsync(WorkloadSpec spec, CancellationToken ct)
    {
        if (spec.Kind == WorkloadKind.Service && spec.Replicas != 1)
            throw new ContainerManagerException($"The local manager runs one process per workload; '{spec.Name}' asks for {spec.Replicas} replicas. Configure container_manager.type: swarm for replicas.");
        ResourceCapacity.Check(spec.Resources, Environment.ProcessorCount, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes, "this host");
        if (spec.Resources?.EnableGpu == true)
            throw new ContainerManagerException("GPU resource profiles need a container manager that schedules GPUs; local processes cannot. Choose a profile without enable_gpu.");
        var account = Account;
        if (account is not null && !File.Exists(LocalAccount.SetPriv))
            throw new ContainerManagerException($"The portal runs as root and starts user code as '{account.Name}' with {LocalAccount.SetPriv}, which is missing (apt-get install util-linux).");
        var id = $"local-{spec.Name}-{Guid.NewGuid().ToString("N")[..8]}";
        Launch(id, spec);
        return Task.FromResult(id);
    }

    /// <summary>Starts the process of workload <paramref name="id"/> (again, after a scale to zero: same id, same run folder).</summary>
    private void Launch(string id, WorkloadSpec spec)
    {
        var account = Account;
        var runDir = Path.Combine(paths.DataDir, "run", id);
        Directory.CreateDirectory(runDir);
        foreach (var mount in spec.Mounts.Where(m => m.Kind == MountKind.Volume))
            Directory.CreateDirectory(VolumePath(mount.Source));

        LinkMountParents(runDir, spec.Mounts);
        var args = spec.Command.Select(a => MapPath(a, spec.Mounts, runDir)).ToList();
        var program = args[0] is "python3" or "python" ? Python : args[0];
        if (account is not null) GrantWritableFolders(account, runDir, spec.Mounts);
        var info = account?.Wrap(program, args.Skip(1)) ?? new ProcessStartInfo(program, args.Skip(1));
        info.WorkingDirectory = spec.WorkingDir is null ? runDir : MapPath(spec.WorkingDir, spec.Mounts, runDir);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.RedirectStandardInput = true;
        info.UseShellExecute = false;
        // A clean environment: never the portal's own (its admin password, its paths), only what the portal sets for
        // the work and the user's variables, minus those that change how programs load (LD_PRELOAD, PYTHONSTARTUP, ...).
        info.Environment.Clear();
        info.Environment["PATH"] = SafePath;
        info.Environment["HOME"] = runDir;
        info.Environment["LANG"] = "C.UTF-8";
        foreach (var (key, value) in spec.Env.Where(e => !IsLoaderVariable(e.Key))) info.Environment[key] = MapPath(value, spec.Mounts, runDir);
        // Servers answer on loopback only: the portal's router and proxy reach them there, nobody else on the network.
        info.Environment["PORTAL_BIND_ADDRESS"] = "127.0.0.1";
        info.Environment.TryGetValue("PYTHONPATH", out var pythonPath);
        // The account may not reach the portal's own folder: it gets the toolkit's copy in the data directory.
        var toolkit = account is null ? ToolkitDirectory : _sharedToolkit.Value;
        info.Environment["PYTHONPATH"] = string.IsNullOrEmpty(pythonPath) ? toolkit : $"{toolkit}:{pythonPath}";
        info.Environment["PYTHONUNBUFFERED"] = "1";
        // Processes share the host's ports: a service listens on a free one (PORTAL_PORT) instead of its container port.
        int? hostPort = spec.Ports.Count > 0 ? FreePort() : null;
        if (hostPort is { } assigned) info.Environment["PORTAL_PORT"] = assigned.ToString(CultureInfo.InvariantCulture);
        // Processes are not confined like containers; the CPU limit caps the math libraries' thread pools at least.
        if (spec.Resources?.Limits?.Cpu is { } cpuLimit)
            foreach (var name in new[] { "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS" })
                if (!spec.Env.ContainsKey(name)) info.Environment[name] = Math.Max(1, (int)Math.Floor(cpuLimit)).ToString(CultureInfo.InvariantCulture);

        LocalProcess process;
        try { process = LocalProcess.Start(id, spec, info); }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new ContainerManagerException($"Could not start '{program}' on this host: {e.Message}. Is it installed?", e);
        }
        if (_processes.TryGetValue(id, out var before)) before.Dispose();
        _processes[id] = process;
        if (hostPort is { } port) _ports[id] = port;
    }

    public Task<WorkloadStatus> GetStatusAsync(string id, CancellationToken ct) =>
        Task.FromResult(_processes.TryGetValue(id, out var p)
            ? p.Status
            : new WorkloadStatus(WorkloadState.Missing, Message: "The process is gone: local processes do not survive a restart of the portal."));

    /// <summary>A process changes state once, when it exits: the watch waits for that instead of polling.</summary>
    public IAsyncEnumerable<WorkloadStatus> WatchAsync(string id, CancellationToken ct) => StatusChanges.WatchAsync(
        t => GetStatusAsync(id, t), t => _processes.TryGetValue(id, out var p) ? p.ExitedAsync(t) : Task.CompletedTask, ct);

    public async IAsyncEnumerable<LogLine> ReadLogsAsync(string id, bool follow, [EnumeratorCancellation] CancellationToken ct)
    {
        if (!_processes.TryGetValue(id, out var process)) yield break;
        await foreach (var line in process.ReadAsync(follow, ct)) yield return line;
    }

    public async Task StopAsync(string id, CancellationToken ct)
    {
        if (_processes.TryGetValue(id, out var p)) await p.StopAsync();
    }

    public async Task RemoveAsync(string id, CancellationToken ct)
    {
        _ports.TryRemove(id, out _);
        if (_processes.TryRemove(id, out var p))
        {
            await p.StopAsync();
            p.Dispose();
        }
        var runDir = Path.Combine(paths.DataDir, "run", id);
        if (Directory.Exists(runDir)) Directory.Delete(runDir, recursive: true);
    }

    public async Task<IReadOnlyList<Replica>> ListReplicasAsync(string id, CancellationToken ct)
    {
        var status = await GetStatusAsync(id, ct);
        if (status.State == WorkloadState.Missing) return [];
        return [new Replica(id, status.State, status.State == WorkloadState.Running && _ports.TryGetValue(id, out var port) ? $"http://127.0.0.1:{port}" : null, status.Message)];
    }

    /// <summary>One process or none: zero stops it (scale to zero), one starts it again with the same spec if it is not running.</summary>
    public async Task ScaleAsync(string id, int replicas, CancellationToken ct)
    {
        if (replicas is not (0 or 1)) await SingleReplica.ScaleAsync(replicas, "Local processes");
        if (!_processes.TryGetValue(id, out var process)) throw new ContainerManagerException($"There is no local process '{id}' to scale.");
        if (replicas == 0) await process.StopAsync();
        else if (process.Status.State != WorkloadState.Running) Launch(id, process.Spec);
    }

    public Task<string> UpdateAsync(string id, WorkloadSpec spec, CancellationToken ct) => SingleReplica.ReplaceAsync(this, id, spec, ct);

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    public Task<IReadOnlyList<WorkloadInfo>> ListOwnedAsync(CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<WorkloadInfo>>(_processes.Values.Select(p => new WorkloadInfo(p.Id, p.Spec.Name, p.Spec.Labels, p.Status)).ToList());

    /// <summary>Named volumes become folders under the data directory.</summary>
    private string VolumePath(string volume) => Path.Combine(paths.DataDir, "volumes", volume);

    private string MapPath(string value, IReadOnlyList<MountSpec> mounts, string runDir)
    {
        foreach (var mount in mounts.OrderByDescending(m => m.Target.Length))
        {
            var source = mount.Kind == MountKind.Volume ? VolumePath(mount.Source) : mount.Source;
            if (value == mount.Target) return source;
            if (value.StartsWith(mount.Target + "/", StringComparison.Ordinal)) return source + value[mount.Target.Length..];
        }
        // A folder holding mount points (e.g. /portal/datasets) maps to the link tree made for it.
        if (value.StartsWith('/') && mounts.Any(m => m.Target.StartsWith(value.TrimEnd('/') + "/", StringComparison.Ordinal)))
            return Path.Combine(runDir, "mounts", value.TrimStart('/'));
        return value;
    }

    /// <summary>
    /// Containers see mount points inside folders (/portal/datasets/a, /portal/datasets/b); for a process those
    /// folders are made under the run folder with a symbolic link per mount, so listing the folder works too.
    /// </summary>
    private void LinkMountParents(string runDir, IReadOnlyList<MountSpec> mounts)
    {
        foreach (var mount in mounts)
        {
            var link = Path.Combine(runDir, "mounts", mount.Target.TrimStart('/'));
            Directory.CreateDirectory(Path.GetDirectoryName(link)!);
            if (!Path.Exists(link)) File.CreateSymbolicLink(link, mount.Kind == MountKind.Volume ? VolumePath(mount.Source) : mount.Source);
        }
    }

    /// <summary>The run folder, named volumes and writable folders of the portal's that the spec mounts become the account's.</summary>
    private void GrantWritableFolders(LocalAccount account, string runDir, IReadOnlyList<MountSpec> mounts)
    {
        var dataDir = paths.DataDir.TrimEnd('/') + "/";
        Containers.HostOwnership.Grant(runDir, account.Uid, account.Gid);
        foreach (var mount in mounts.Where(m => !m.ReadOnly))
        {
            var source = mount.Kind == MountKind.Volume ? VolumePath(mount.Source) : mount.Source;
            if ((source + "/").StartsWith(dataDir, StringComparison.Ordinal)) Containers.HostOwnership.Grant(source, account.Uid, account.Gid);
        }
    }

    /// <summary>A copy of the toolkit anyone may read, for an account that cannot reach the portal's install folder.</summary>
    private static string CopyToolkit(string target)
    {
        if (Directory.Exists(target)) Directory.Delete(target, recursive: true);
        foreach (var file in Directory.EnumerateFiles(ToolkitDirectory, "*", SearchOption.AllDirectories))
        {
            if (file.Contains("__pycache__", StringComparison.Ordinal)) continue;
            var copy = Path.Combine(target, Path.GetRelativePath(ToolkitDirectory, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }
        if (!OperatingSystem.IsWindows())
        {
            foreach (var dir in Directory.EnumerateDirectories(target, "*", SearchOption.AllDirectories).Prepend(target))
                File.SetUnixFileMode(dir, (UnixFileMode)0x1ED);
            foreach (var file in Directory.EnumerateFiles(target, "*", SearchOption.AllDirectories))
                File.SetUnixFileMode(file, (UnixFileMode)0x1A4);
        }
        return target;
    }

    /// <summary>Stops what is still running; safe to call twice (the manager is registered under two service types).</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var id in _processes.Keys)
        {
            if (!_processes.TryRemove(id, out var p)) continue;
            await p.StopAsync();
            p.Dispose();
        }
    }

    private const string SafePath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /// <summary>Variables that make the loader or an interpreter run code of their choosing before the program's own.</summary>
    public static bool IsLoaderVariable(string name) =>
        name.StartsWith("LD_", StringComparison.Ordinal) || name.StartsWith("DYLD_", StringComparison.Ordinal)
        || name is "PYTHONSTARTUP" or "PYTHONHOME" or "PYTHONINSPECT" or "PYTHONBREAKPOINT" or "BASH_ENV" or "ENV" or "PERL5OPT"
            or "PERL5LIB" or "NODE_OPTIONS" or "RUBYOPT" or "GCONV_PATH" or "MALLOC_CHECK_";
}
