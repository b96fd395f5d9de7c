using Portal.Core.Configuration;

namespace Portal.Core.Containers;

/// <summary>A resource profile that reserves more than the largest machine has would wait forever: refuse it before starting.</summary>
public static class ResourceCapacity
{
    public static void Check(ResourceProfile? profile, double cpus, long memoryBytes, string where)
    {
        if (profile?.Requests is not { } requests) return;
        if (requests.Cpu is { } cpu && cpu > cpus)
            throw new ContainerManagerException($"The resource profile reserves {cpu} CPUs but {where} has {cpus}. Choose a smaller profile (container_manager.resource_profiles).");
        if (requests.Memory is { } memory && memory * 1024L * 1024 > memoryBytes)
            throw new ContainerManagerException($"The resource profile reserves {memory} MB of memory but {where} has {memoryBytes / (1024 * 1024)} MB. Choose a smaller profile (container_manager.resource_profiles).");
    }
}
