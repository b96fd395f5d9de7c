namespace Portal.Core.Errors;

/// <summary>The request contradicts what is stored (a taken name, a document still in use).</summary>
public sealed class ConflictException(string message) : PortalException(message);
