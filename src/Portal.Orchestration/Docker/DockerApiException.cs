using System.Net;
using Portal.Core.Containers;

namespace Portal.Orchestration.Docker;

/// <summary>The daemon answered with an error; the message is rewritten into what a user can act on where it is recognised.</summary>
public sealed class DockerApiException(HttpStatusCode status, string daemonMessage)
    : Exception(Translate(status, daemonMessage))
{
    public HttpStatusCode Status { get; } = status;
    public string DaemonMessage { get; } = daemonMessage;

    public ContainerManagerException ToUserError() => new(Message, this);

    public static string Translate(HttpStatusCode status, string m) => m switch
    {
        _ when m.Contains("This node is not a swarm manager", StringComparison.OrdinalIgnoreCase) =>
            "Docker is not in swarm mode. Run 'docker swarm init --advertise-addr 127.0.0.1' on the portal's host, or set container_manager.type: local.",
        _ when m.Contains("No such image", StringComparison.OrdinalIgnoreCase) || m.Contains("pull access denied", StringComparison.OrdinalIgnoreCase) =>
            $"The image was not found on this host ({m}). Build the project first, or check the image name.",
        _ when m.Contains("port is already allocated", StringComparison.OrdinalIgnoreCase) || m.Contains("port ", StringComparison.OrdinalIgnoreCase) && m.Contains("in use", StringComparison.OrdinalIgnoreCase) =>
            $"A port the workload needs is taken by something else ({m}). Choose another port.",
        _ when m.Contains("insufficient resources", StringComparison.OrdinalIgnoreCase) =>
            $"The swarm has not enough CPU or memory for the requested resource profile ({m}). Choose a smaller profile or free resources.",
        _ when status == HttpStatusCode.Conflict => $"Docker refused because of a conflict: {m}",
        _ => $"Docker answered {(int)status}: {m}",
    };
}
