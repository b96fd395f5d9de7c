using Portal.Core.Errors;

namespace Portal.Core.Containers;

/// <summary>The engine refused or could not be reached; the message says what happened and what to do.</summary>
public sealed class ContainerManagerException(string message, Exception? inner = null) : PortalException(message, inner);
