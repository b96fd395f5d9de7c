using Portal.Core.Builds;
using Portal.Core.Containers;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Names;
using Portal.Core.Security;
using Portal.Core.Services;
using Portal.Core.Stores;

namespace Portal.Core.Ide;

/// <summary>Checks a request for an IDE session before anything starts; every problem comes back at once, by field.</summary>
public sealed class IdeRequestValidator(
    IIdeSessionStore sessions, IDatasetStore datasets, IModelVersionStore versions, IProjectStore projects, ResourceProfiles profiles,
    IdeImageCatalog images, HostPaths hostPaths)
{
    public async Task<IdePlan> CheckAsync(string user, IdeRequest request, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        InputRules.Name(errors, "user", user, "user name");
        var name = string.IsNullOrWhiteSpace(request.Name) ? ReadableNames.Next() : request.Name.Trim();
        InputRules.Name(errors, "name", name, "session name");
        string? profileName = null;
        try { profileName = profiles.Resolve(request.ResourceProfile, ResourceProfiles.Ide).Name; }
        catch (ValidationFailedException e) { foreach (var (f, m) in e.Errors) foreach (var msg in m) errors.Add(f, msg); }
        var mounted = new List<Dataset>();
        foreach (var reference in (request.Datasets ?? []).Where(d => !string.IsNullOrWhiteSpace(d)).Distinct())
        {
            var dataset = await datasets.FindByReferenceAsync(reference, ct);
            if (dataset is null) errors.Add("datasets", $"There is no dataset '{reference}'; write it as model/dataset.");
            else mounted.Add(dataset);
        }
        var modelVersions = request.ModelVersions.Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v.Trim()).Distinct().ToList();
        foreach (var reference in modelVersions)
        {
            if (await versions.FindByReferenceAsync(reference, ct) is null)
                errors.Add("model_versions", $"There is no model version '{reference}'; write it as model/version.");
        }
        var editProject = string.IsNullOrWhiteSpace(request.EditProject) ? null : request.EditProject.Trim();
        if (editProject is not null)
        {
            var project = await projects.FindAsync(editProject, ct);
            if (project is null) errors.Add("edit_project", $"There is no project named '{request.EditProject}'.");
            else if (project.HomeDir is null || !Directory.Exists(project.HomeDir)) errors.Add("edit_project", $"The project '{project.Name}' has no home directory on this host to edit.");
            // Mounted writable: whoever registered the project, the user editing it must be allowed the folder.
            else if (hostPaths.Problem(project.HomeDir, ActorContext.Current) is { } hostProblem) errors.Add("edit_project", hostProblem);
        }
        InputRules.EnvNames(errors, "env", request.Env.Keys, "PORTAL_", "JUPYTER_");
        var image = request.Image?.Trim() is { Length: > 0 } chosen ? chosen
            : await images.ListAsync(ct) is [var first, ..] ? first.Image : ProjectImages.NotebookBase;
        if (await images.ProblemAsync(image, ct) is { } imageProblem) errors.Add("image", imageProblem);
        if (errors.IsEmpty && await sessions.FindAsync(user, name, ct) is not null)
            errors.Add("name", $"You have a session named '{name}' already.");
        errors.ThrowIfAny();
        return new IdePlan(name, image, profileName, mounted, modelVersions, editProject, request.Env);
    }

}
