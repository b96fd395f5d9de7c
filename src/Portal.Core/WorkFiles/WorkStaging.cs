using Portal.Core.Containers;

namespace Portal.Core.WorkFiles;

/// <summary>
/// Turns a workload that would mount the portal's folders into one that fetches them: no host folder mounted (named
/// volumes stay), placed on any node, its
/// command run by the toolkit's stage step (portal_toolkit/stage.py) behind a bootstrap that first fetches the toolkit
/// itself from the portal, so even an image without it (or with an older one) speaks this portal's API.
/// </summary>
public static class WorkStaging
{
    /// <summary>The read-only grant of work that has no task token (a deployment's replicas).</summary>
    public const string GrantVariable = "PORTAL_FETCH_TOKEN";

    /// <summary>Run by <c>python3 -c</c>: standard library only, the toolkit kept as a zip on the path (zipimport).</summary>
    public const string Bootstrap = """
        import os, shutil, sys, tempfile, urllib.request
        root = os.path.join(tempfile.gettempdir(), "portal")
        os.makedirs(root, exist_ok=True)
        toolkit = os.path.join(root, "toolkit.zip")
        token = os.environ.get("PORTAL_FETCH_TOKEN") or os.environ["PORTAL_TASK_TOKEN"]
        url = os.environ["PORTAL_API_URL"].rstrip("/") + "/api/v1/tasks/toolkit.zip"
        request = urllib.request.Request(url, headers={"Authorization": "Bearer " + token})
        with urllib.request.urlopen(request, timeout=120) as r, open(toolkit, "wb") as f:
            shutil.copyfileobj(r, f)
        os.environ["PYTHONPATH"] = toolkit + os.pathsep + os.environ.get("PYTHONPATH", "")
        sys.path.insert(0, toolkit)
        from portal_toolkit import stage
        sys.exit(stage.main(sys.argv[1:]))
        """;

    /// <param name="fetch">What the stage step fetches: notebook, datasets, versions, project.</param>
    /// <param name="sendResults">Whether a training's results go back to the portal when the command ends.</param>
    public static WorkloadSpec Fetching(WorkloadSpec spec, IEnumerable<string> fetch, bool sendResults) => spec with
    {
        Command =
        [
            "python3", "-c", Bootstrap, "--fetch", string.Join(',', fetch), .. sendResults ? new[] { "--send", "results" } : [],
            "--", .. spec.Command,
        ],
        Mounts = [.. spec.Mounts.Where(m => m.Kind != MountKind.Bind)],
        AnyNode = true,
    };
}
