using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Services;
using Portal.Tests.Unit.Support;

namespace Portal.Tests.Unit.Services;

public class ProjectAndModelServiceTests : IAsyncLifetime
{
    private CoreFixture _core = default!;

    public async Task InitializeAsync() => _core = await CoreFixture.CreateAsync();

    public async Task DisposeAsync() => await _core.DisposeAsync();

    [Fact]
    public async Task Every_invalid_field_of_a_project_is_reported_at_once()
    {
        var e = await Assert.ThrowsAsync<ValidationFailedException>(() => _core.Projects.CreateAsync(
            new ProjectInput("Bad_Name", new string('d', 2001), "relative/dir", "not a url", "UPPER/Case:tag", ["ghost"]), CancellationToken.None));
        Assert.Equal(["desc", "docker_repo", "git_repo", "home_dir", "models", "name"], e.Errors.Keys.Order());
        Assert.Contains("'ghost'", e.Errors["models"][0]);
    }

    [Theory]
    [InlineData("https://github.com/noronha-dataops/noronha.git")]
    [InlineData("git@github.com:team/repo.git")]
    [InlineData("ssh://git@host:2222/team/repo")]
    public async Task Accepts_usual_git_addresses(string repo) =>
        Assert.Equal(repo, (await _core.Projects.CreateAsync(new ProjectInput("p", GitRepo: repo), CancellationToken.None)).GitRepo);

    [Theory]
    [InlineData("https://ghp_secretToken123@github.com/team/repo.git")]
    [InlineData("https://builder:glpat-secret@gitlab.example.com/team/repo.git")]
    public async Task A_token_inside_a_repository_address_is_refused_before_anyone_can_read_it(string repo)
    {
        var e = await Assert.ThrowsAsync<ValidationFailedException>(() => _core.Projects.CreateAsync(new ProjectInput("p", GitRepo: repo), CancellationToken.None));
        Assert.Contains("keep it in a git credential of the vault", Assert.Single(e.Errors["git_repo"]));
    }

    [Theory]
    [InlineData("file:///srv/git/repo")]
    public async Task Repositories_on_the_portal_host_are_an_admin_decision(string repo)
    {
        using (Portal.Core.Security.ActorContext.Use(new Portal.Core.Security.Actor("dana", [Portal.Core.Security.Roles.DataScientist], null)))
        {
            var e = await Assert.ThrowsAsync<ValidationFailedException>(() => _core.Projects.CreateAsync(new ProjectInput("p", GitRepo: repo), CancellationToken.None));
            Assert.Contains("only an admin may register one", Assert.Single(e.Errors["git_repo"]));
        }
        using (Portal.Core.Security.ActorContext.Use(new Portal.Core.Security.Actor("admin", [Portal.Core.Security.Roles.Admin], null)))
            Assert.Equal(repo, (await _core.Projects.CreateAsync(new ProjectInput("p", GitRepo: repo), CancellationToken.None)).GitRepo);
    }

    [Theory]
    [InlineData("ext::sh -c id")]
    [InlineData("/srv/git/repo")]
    [InlineData("../other-project")]
    public async Task Git_helpers_and_plain_paths_are_no_repository_addresses_even_for_an_admin(string repo)
    {
        using (Portal.Core.Security.ActorContext.Use(new Portal.Core.Security.Actor("admin", [Portal.Core.Security.Roles.Admin], null)))
        {
            var e = await Assert.ThrowsAsync<ValidationFailedException>(() => _core.Projects.CreateAsync(new ProjectInput("p", GitRepo: repo), CancellationToken.None));
            Assert.True(e.Errors.ContainsKey("git_repo"));
        }
    }

    [Theory]
    [InlineData("noronha/iris")]
    [InlineData("registry.local:5000/team/iris-model")]
    [InlineData("iris")]
    public async Task Accepts_image_repositories(string repo) =>
        Assert.Equal(repo, (await _core.Projects.CreateAsync(new ProjectInput("p", DockerRepo: repo), CancellationToken.None)).DockerRepo);

    [Fact]
    public async Task Names_are_unique_per_kind()
    {
        await _core.Projects.CreateAsync(new ProjectInput("same"), CancellationToken.None);
        await _core.Models.CreateAsync(new ModelInput("same"), CancellationToken.None);
        var e = await Assert.ThrowsAsync<ValidationFailedException>(() => _core.Projects.CreateAsync(new ProjectInput("same"), CancellationToken.None));
        Assert.Equal("A project named 'same' already exists; choose another name.", e.Errors["name"][0]);
    }

    [Fact]
    public async Task A_project_can_be_renamed_and_keeps_its_models()
    {
        await _core.Models.CreateAsync(new ModelInput("iris"), CancellationToken.None);
        var created = await _core.Projects.CreateAsync(new ProjectInput("old", Models: ["iris"]), CancellationToken.None);
        var renamed = await _core.Projects.UpdateAsync("old", new ProjectInput("new", "desc", Models: ["iris"]), CancellationToken.None);
        Assert.Equal(created.CreatedAt, renamed.CreatedAt);
        Assert.Equal("iris", Assert.Single((await _core.Projects.GetAsync("new", CancellationToken.None)).Models).Name);
        await Assert.ThrowsAsync<NotFoundException>(() => _core.Projects.GetAsync("old", CancellationToken.None));
    }

    [Fact]
    public async Task Blank_optional_fields_are_stored_as_absent()
    {
        var p = await _core.Projects.CreateAsync(new ProjectInput(" p1 ", "  ", "", " ", null), CancellationToken.None);
        Assert.Equal(("p1", null, null, null), (p.Name, p.Desc, p.HomeDir, p.GitRepo));
    }

    [Fact]
    public async Task File_specs_are_checked_row_by_row()
    {
        var e = await Assert.ThrowsAsync<ValidationFailedException>(() => _core.Models.CreateAsync(new ModelInput("m",
            ModelFiles: [new FileSpec { Name = "model.pkl" }, new FileSpec { Name = "model.pkl" }],
            DataFiles: [new FileSpec { Name = "../up" }, new FileSpec { Name = "ok.csv", MaxMb = 0 }]), CancellationToken.None));
        Assert.Contains("listed twice", e.Errors["model_files[1].name"][0]);
        Assert.Contains("path separator", e.Errors["data_files[0].name"][0]);
        Assert.Contains("above 0", e.Errors["data_files[1].max_mb"][0]);
    }

    [Fact]
    public async Task A_model_renamed_keeps_its_datasets()
    {
        await _core.Models.CreateAsync(new ModelInput("iris"), CancellationToken.None);
        await using (var up = await _core.Datasets.BeginUploadAsync("iris", new DatasetDraft("ds"), CancellationToken.None))
        {
            await up.AddFileAsync("a.csv", new MemoryStream([1, 2]), CancellationToken.None);
            await up.CommitAsync(CancellationToken.None);
        }
        await _core.Models.UpdateAsync("iris", new ModelInput("iris-2"), CancellationToken.None);
        Assert.Equal(2, (await _core.Datasets.GetAsync("iris-2", "ds", CancellationToken.None)).TotalSize);
    }
}
