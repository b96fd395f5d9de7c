using Portal.Core.Containers;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Security;

namespace Portal.Core.Trainings;

/// <summary>Extra host folders a user mounts into a training, in Docker's <c>/host:/container[:ro]</c>, each checked against <see cref="HostPaths"/>.</summary>
public static class ExtraMounts
{
    public static List<ExtraMount> Parse(ValidationErrors errors, IReadOnlyList<string> specs, HostPaths hostPaths)
    {
        var mounts = new List<ExtraMount>();
        foreach (var spec in specs.Select(m => m.Trim()).Where(m => m.Length > 0))
        {
            var parts = spec.Split(':');
            var readOnly = parts.Length == 3 && parts[2] == "ro";
            if (parts.Length is < 2 or > 3 || parts.Length == 3 && parts[2] is not ("ro" or "rw"))
            {
                errors.Add("mounts", $"'{spec}' is not /host/path:/container/path or /host/path:/container/path:ro.");
                continue;
            }
            var (source, target) = (parts[0], parts[1].TrimEnd('/'));
            if (!source.StartsWith('/') || !target.StartsWith('/') || spec.Split('/').Contains(".."))
                errors.Add("mounts", $"'{spec}': both paths must be absolute, without '..'.");
            else if (!Directory.Exists(source) && !File.Exists(source))
                errors.Add("mounts", $"'{source}' does not exist on the portal's host.");
            else if (hostPaths.Problem(source, ActorContext.Current) is { } hostProblem)
                errors.Add("mounts", hostProblem);
            else if (WorkMounts.IsReserved(target))
                errors.Add("mounts", $"'{parts[1]}' is reserved for the portal (/portal, /opt/portal); mount somewhere else, e.g. /data.");
            else if (mounts.Any(m => m.Target == target))
                errors.Add("mounts", $"Two mounts use '{target}'.");
            else
                mounts.Add(new ExtraMount(source, target, readOnly));
        }
        return mounts;
    }
}
