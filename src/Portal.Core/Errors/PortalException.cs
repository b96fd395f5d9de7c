namespace Portal.Core.Errors;

/// <summary>Base of the errors a use case reports to a user; the message is meant to be shown as it is.</summary>
public abstract class PortalException(string message, Exception? inner = null) : Exception(message, inner);
