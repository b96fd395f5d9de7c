namespace Portal.Core.Containers;

/// <summary>
/// The portal's Python toolkit (portal_toolkit), shipped next to the portal's binaries. Managers put this copy
/// on every workload's PYTHONPATH (mounted read-only in containers), so the toolkit always speaks the API of the
/// portal that started the work, whatever version the image was built with.
/// </summary>
public static class PortalToolkit
{
    public static string Directory => Path.Combine(AppContext.BaseDirectory, "toolkit");

    /// <summary>Where containers see it; the notebook base image has its own copy there too.</summary>
    public const string ContainerPath = "/opt/portal/toolkit";
}
