using System.Net;
using Docker.DotNet;
using Portal.Core.Containers;

namespace Portal.Orchestration.Docker;

public static class DockerNotFound
{
    /// <summary>Whether the engine answered 404: the object is gone, which callers that clean up treat as done.</summary>
    public static bool IsNotFound(this ContainerManagerException e) => e.InnerException is DockerApiException { StatusCode: HttpStatusCode.NotFound };
}
