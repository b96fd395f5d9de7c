namespace Portal.Core.Errors;

public sealed class NotFoundException(string kind, string name)
    : PortalException($"There is no {kind} named '{name}'.")
{
    public string Kind { get; } = kind;
    public string Name { get; } = name;
}
