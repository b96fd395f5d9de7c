namespace Portal.Core.Errors;

/// <summary>The actor's roles do not allow the action; the message says which role it needs.</summary>
public sealed class AccessDeniedException(string message) : PortalException(message);
