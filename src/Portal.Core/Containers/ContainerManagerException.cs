using Portal.Core.Errors;

namespace Portal.Core.Containers;

/// <summary>The engine refused or could not be reached; the message says what happened and what to do.</summary>
public class ContainerManagerException(string message, Exception? inner = null) : PortalException(message, inner);

/// <summary>
/// The engine could not be asked at all (no connection, no answer in time, or "not ready": a swarm without a manager
/// while dockerd stops or starts, an API server answering 503). Says nothing about the work: callers that follow work
/// keep its last known state and ask again, instead of ending it.
/// </summary>
public sealed class EngineUnreachableException(string message, Exception? inner = null) : ContainerManagerException(message, inner);
