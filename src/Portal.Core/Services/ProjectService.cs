using Portal.Core.Security;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Stores;

namespace Portal.Core.Services;

/// <summary>What a user gives to create or edit a project.</summary>
public sealed record ProjectInput(string Name, string? Desc = null, string? HomeDir = null, string? GitRepo = null, string? DockerRepo = null, IReadOnlyList<string>? Models = null);

/// <summary>Use cases of projects: register, edit (renames keep every reference), delete with what goes with it.</summary>
public sealed class ProjectService(IProjectStore projects, IModelStore models, HostPaths hostPaths, TimeProvider clock)
{
    public Task<Page<Project>> ListAsync(PageRequest request, CancellationToken ct) => projects.ListAsync(request, ct);

    public async Task<Project> GetAsync(string name, CancellationToken ct) =>
        await projects.FindAsync(name, ct) ?? throw new NotFoundException("project", name);

    public async Task<Project> CreateAsync(ProjectInput input, CancellationToken ct)
    {
        var (project, modelIds) = await ValidateAsync(input, null, ct);
        project.CreatedAt = project.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        return await projects.AddAsync(project, modelIds, ct);
    }

    public async Task<Project> UpdateAsync(string name, ProjectInput input, CancellationToken ct)
    {
        var existing = await GetAsync(name, ct);
        var (project, modelIds) = await ValidateAsync(input, existing, ct);
        project.Id = existing.Id;
        project.CreatedAt = existing.CreatedAt;
        project.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        return await projects.UpdateAsync(project, modelIds, ct);
    }

    /// <summary>What deleting the project would remove, for the confirmation dialog.</summary>
    public async Task<ProjectUsage> GetDeletionImpactAsync(string name, CancellationToken ct) =>
        await projects.GetUsageAsync((await GetAsync(name, ct)).Id, ct);

    /// <summary>Deletes the project with its build versions, trainings and deployments; model versions it produced stay.</summary>
    public async Task DeleteAsync(string name, CancellationToken ct) => await projects.DeleteAsync((await GetAsync(name, ct)).Id, ct);

    private async Task<(Project, IReadOnlyCollection<long>)> ValidateAsync(ProjectInput input, Project? existing, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var name = input.Name?.Trim() ?? "";
        InputRules.Name(errors, "name", name, "project name");
        var desc = InputRules.Clean(input.Desc);
        InputRules.Desc(errors, "desc", desc);
        var homeDir = InputRules.Clean(input.HomeDir);
        InputRules.AbsolutePath(errors, "home_dir", homeDir);
        // A home directory is mounted into the project's work and read by its builds: a user names only what an admin opened.
        if (errors.IsEmpty && homeDir is not null && homeDir != existing?.HomeDir && hostPaths.Problem(homeDir, ActorContext.Current) is { } hostProblem)
            errors.Add("home_dir", hostProblem);
        var gitRepo = InputRules.Clean(input.GitRepo);
        InputRules.GitRepo(errors, "git_repo", gitRepo);
        // A repository on the portal's own host reads the host: admins only. (Plain paths and git's ext:: helper are no
        // repository addresses at all, for anyone.)
        if (gitRepo is not null && gitRepo.StartsWith("file:", StringComparison.OrdinalIgnoreCase) && ActorContext.Current?.Has(Roles.Admin) != true)
            errors.Add("git_repo", $"'{gitRepo}' is a repository on the portal's host; only an admin may register one. " +
                "Use the repository's https:// or ssh:// address.");
        var dockerRepo = InputRules.Clean(input.DockerRepo);
        InputRules.DockerRepo(errors, "docker_repo", dockerRepo);

        if (errors.IsEmpty && name != existing?.Name && await projects.FindAsync(name, ct) is not null)
            errors.Add("name", $"A project named '{name}' already exists; choose another name.");

        var modelNames = (input.Models ?? []).Select(m => m.Trim()).Where(m => m.Length > 0).Distinct().ToList();
        var found = await models.FindManyAsync(modelNames, ct);
        foreach (var missing in modelNames.Except(found.Select(m => m.Name)))
            errors.Add("models", $"There is no model named '{missing}'; create it first or remove it from the list.");
        errors.ThrowIfAny();

        var project = new Project { Name = name, Desc = desc, HomeDir = homeDir, GitRepo = gitRepo, DockerRepo = dockerRepo };
        return (project, found.Select(m => m.Id).ToList());
    }
}
