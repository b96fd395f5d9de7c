using System.Collections.Concurrent;
using Portal.Core.Configuration;
using Portal.Core.Containers;
using Portal.Orchestration.Kubernetes;
using Portal.Tests.Unit.Support;

namespace Portal.Tests.Unit.Contracts;

/// <summary>
/// The contract on the Kubernetes manager against the API protocol double (no cluster can run here): the test plays
/// what the Job controller and the kubelet would, making each Job's pod and running its script into the pod's phase,
/// log and exit code. Kubernetes logs carry no stream, so stderr lines arrive as output.
/// </summary>
public sealed class KubeManagerContract : ContainerManagerContract
{
    private const string Ns = "ml";
    private readonly TempDir _dir = new();
    private KubeApiDouble? _api;
    private KubeCluster? _cluster;
    private readonly ConcurrentBag<Task> _playing = [];

    protected override bool LogsKeepStreams => false;

    protected override async Task<IContainerManager> CreateAsync()
    {
        _api = await KubeApiDouble.StartAsync();
        _cluster = KubernetesSetup.Connect(
            KubernetesSetup.Configuration(_api.Kubeconfig(_dir.Path), null, new Dictionary<string, string?>(), _dir.Path), TimeSpan.FromSeconds(5));
        return new KubernetesManager(_cluster, new KubeManifests(new KubeConfig { Namespace = Ns }, null, _dir.Path));
    }

    /// <summary>The Job controller and the kubelet, played for each Job the manager starts.</summary>
    protected override void Started(string id, WorkloadSpec spec) =>
        _playing.Add(Task.Run(() => PlayAsync(_api!, id["Job/".Length..], spec.Command[^1]), CancellationToken.None));

    protected override WorkloadSpec Shell(string script) => new()
    {
        Name = "contract", Image = "portal/notebook-base:latest", Command = ["/bin/sh", "-c", script],
        Labels = new Dictionary<string, string> { [PortalLabels.Kind] = "contract" },
    };

    protected override string UnknownId => "Job/portal-contract-nothing";

    protected override async Task CleanUpAsync()
    {
        await Task.WhenAll(_playing).WaitAsync(TimeSpan.FromSeconds(10));
        _cluster?.Dispose();
        if (_api is not null) await _api.DisposeAsync();
        _dir.Dispose();
    }

    private static async Task PlayAsync(KubeApiDouble api, string job, string script)
    {
        bool Exists() => api.Get($"apis/batch/v1/namespaces/{Ns}/jobs", job) is not null;
        var pod = $"{job}-p1";
        api.MakePod(Ns, job, pod);
        await Task.Delay(100);
        api.SetPodPhase(Ns, pod, "Running");
        foreach (var step in ScriptSteps.Of(script))
        {
            // A deleted Job takes its pod with it: nothing more runs.
            if (!Exists()) return;
            switch (step.Verb)
            {
                case "echo": api.WriteLog(pod, $"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ss.fffffff}Z {step.Text}"); break;
                case "sleep":
                    for (var slept = TimeSpan.Zero; slept < step.Seconds && Exists(); slept += TimeSpan.FromMilliseconds(50)) await Task.Delay(50);
                    break;
                case "exit":
                    api.SetPodPhase(Ns, pod, step.Code == 0 ? "Succeeded" : "Failed", step.Code);
                    return;
                default: throw new InvalidOperationException($"The kubelet player does not know '{step.Verb}'.");
            }
        }
        if (Exists()) api.SetPodPhase(Ns, pod, "Succeeded", 0);
    }
}
