using System.Text;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Services;
using Portal.Core.Storage;
using Portal.Tests.Unit.Support;

namespace Portal.Tests.Unit.Services;

public class DatasetServiceTests : IAsyncLifetime
{
    private CoreFixture _core = default!;

    public async Task InitializeAsync()
    {
        _core = await CoreFixture.CreateAsync(maxUploadMb: 1);
        await _core.Models.CreateAsync(new ModelInput("iris", DataFiles:
        [
            new FileSpec { Name = "train.csv", Required = true, MaxMb = 0.01 },
            new FileSpec { Name = "notes.txt", Desc = "free notes" },
        ]), CancellationToken.None);
    }

    public async Task DisposeAsync() => await _core.DisposeAsync();

    private static MemoryStream Content(int bytes) => new(Enumerable.Repeat((byte)'x', bytes).ToArray());

    private async Task<Dataset> UploadAsync(string name, bool compress, params (string Name, int Bytes)[] files)
    {
        await using var upload = await _core.Datasets.BeginUploadAsync("iris", new DatasetDraft(name, compress), CancellationToken.None);
        foreach (var (file, bytes) in files) await upload.AddFileAsync(file, Content(bytes), CancellationToken.None);
        return await upload.CommitAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_valid_upload_is_recorded_with_sizes_and_hashes()
    {
        var ds = await UploadAsync("ds1", false, ("train.csv", 100), ("extra.json", 3));
        Assert.True(ds.Stored);
        Assert.Equal(["train.csv", "extra.json"], ds.Files.Select(f => f.Name));
        Assert.Equal(64, ds.Files[0].Sha256.Length);
        Assert.Equal(["datasets/1/files/extra.json", "datasets/1/files/train.csv"], _core.StoredFiles().Select(f => f.Replace('\\', '/')));

        var download = await _core.Datasets.OpenFileAsync("iris", "ds1", "train.csv", CancellationToken.None);
        await using (download.Content) Assert.Equal(100, (await new StreamReader(download.Content).ReadToEndAsync()).Length);
    }

    [Fact]
    public async Task A_file_over_its_max_mb_is_refused_while_streaming_and_nothing_is_kept()
    {
        var e = await Assert.ThrowsAsync<FileTooLargeException>(() => UploadAsync("ds1", false, ("train.csv", 20_000)));
        Assert.Contains("'train.csv' is larger than 10.24 KB", e.Message);
        Assert.Contains("max_mb: 0.01", e.Message);
        Assert.Empty(_core.StoredFiles());
        Assert.Equal(0, (await _core.Datasets.ListAsync("iris", new(), CancellationToken.None)).Total);
    }

    [Fact]
    public async Task The_global_limit_counts_all_files_of_one_upload()
    {
        var e = await Assert.ThrowsAsync<FileTooLargeException>(() => UploadAsync("ds1", false, ("train.csv", 10), ("a.bin", 600_000), ("b.bin", 600_000)));
        Assert.Contains("file_store.max_upload_mb", e.Message);
        Assert.Empty(_core.StoredFiles());
    }

    [Fact]
    public async Task A_missing_required_file_is_named()
    {
        var e = await Assert.ThrowsAsync<ValidationFailedException>(() => UploadAsync("ds1", false, ("notes.txt", 10)));
        Assert.Equal("The model 'iris' requires the file 'train.csv'; it is missing.", Assert.Single(e.Errors["files"]));
        Assert.Empty(_core.StoredFiles());
    }

    [Fact]
    public async Task A_name_breaking_the_rules_is_refused_before_any_file()
    {
        var e = await Assert.ThrowsAsync<ValidationFailedException>(() => _core.Datasets.BeginUploadAsync("iris", new DatasetDraft("My Data"), CancellationToken.None));
        Assert.Contains("'My Data'", e.Errors["name"][0]);
    }

    [Fact]
    public async Task A_taken_name_is_refused_and_the_first_dataset_is_untouched()
    {
        await UploadAsync("ds1", false, ("train.csv", 10));
        var e = await Assert.ThrowsAsync<ValidationFailedException>(() => UploadAsync("ds1", false, ("train.csv", 20)));
        Assert.Contains("already has a dataset named 'ds1'", e.Errors["name"][0]);
        Assert.Equal(10, (await _core.Datasets.GetAsync("iris", "ds1", CancellationToken.None)).TotalSize);
    }

    [Fact]
    public async Task Traversal_in_an_upload_name_is_refused()
    {
        var e = await Assert.ThrowsAsync<ValidationFailedException>(() => UploadAsync("ds1", false, ("../../train.csv", 10)));
        Assert.Contains("path separator", e.Errors["files"][0]);
        Assert.Empty(_core.StoredFiles());
    }

    [Fact]
    public async Task Compressed_datasets_are_one_archive_and_single_files_can_still_be_read()
    {
        var ds = await UploadAsync("ds1", true, ("train.csv", 100), ("notes.txt", 7));
        Assert.True(ds.Compressed);
        Assert.Equal("ds1.tar.gz", ds.Archive!.Name);
        Assert.Equal(["datasets/1/archive.tar.gz"], _core.StoredFiles().Select(f => f.Replace('\\', '/')));

        var notes = await _core.Datasets.OpenFileAsync("iris", "ds1", "notes.txt", CancellationToken.None);
        await using (notes.Content) Assert.Equal("xxxxxxx", await new StreamReader(notes.Content).ReadToEndAsync());
        var archive = await _core.Datasets.OpenArchiveAsync("iris", "ds1", CancellationToken.None);
        await using (archive.Content) Assert.Equal(ds.Archive.Size, archive.Size);
    }

    [Fact]
    public async Task An_abandoned_upload_leaves_nothing_behind()
    {
        await using (var upload = await _core.Datasets.BeginUploadAsync("iris", new DatasetDraft("ds1"), CancellationToken.None))
            await upload.AddFileAsync("train.csv", Content(10), CancellationToken.None);
        Assert.Empty(_core.StoredFiles());
    }

    [Fact]
    public async Task The_plan_check_reports_every_problem_before_upload()
    {
        var e = await Assert.ThrowsAsync<ValidationFailedException>(() => _core.Datasets.CheckPlanAsync("iris",
            new DatasetDraft("ds1", DetailsJson: "[1]"), [new PlannedFile("notes.txt", 2_000_000), new PlannedFile("a/b", 1)], CancellationToken.None));
        Assert.Contains("JSON object", e.Errors["details"][0]);
        Assert.Contains(e.Errors["files"], m => m.Contains("path separator"));
        Assert.Contains(e.Errors["files"], m => m.Contains("file_store.max_upload_mb"));
        Assert.Contains(e.Errors["files"], m => m.Contains("requires the file 'train.csv'"));

        e = await Assert.ThrowsAsync<ValidationFailedException>(() => _core.Datasets.CheckPlanAsync("iris",
            new DatasetDraft("ds1"), [new PlannedFile("train.csv", 20_000)], CancellationToken.None));
        Assert.Contains("allows at most 0.01 MB", Assert.Single(e.Errors["files"]));
    }

    [Fact]
    public async Task Malformed_details_say_where()
    {
        var e = await Assert.ThrowsAsync<ValidationFailedException>(() => _core.Datasets.BeginUploadAsync("iris", new DatasetDraft("ds1", DetailsJson: "{\"a\": }"), CancellationToken.None));
        Assert.Contains("(line 1, character", e.Errors["details"][0]);
        Assert.DoesNotContain("LineNumber", e.Errors["details"][0]);
    }

    [Fact]
    public async Task Deleting_removes_record_and_files_and_renaming_keeps_files()
    {
        await UploadAsync("ds1", false, ("train.csv", 10));
        await _core.Datasets.UpdateAsync("iris", "ds1", "ds-renamed", "{\"k\": 1}", CancellationToken.None);
        var file = await _core.Datasets.OpenFileAsync("iris", "ds-renamed", "train.csv", CancellationToken.None);
        await file.Content.DisposeAsync();

        await _core.Datasets.DeleteAsync("iris", "ds-renamed", CancellationToken.None);
        Assert.Empty(_core.StoredFiles());
        await Assert.ThrowsAsync<NotFoundException>(() => _core.Datasets.GetAsync("iris", "ds-renamed", CancellationToken.None));
    }

    [Fact]
    public async Task Deleting_the_model_removes_its_datasets_and_their_files()
    {
        await UploadAsync("ds1", false, ("train.csv", 10));
        await UploadAsync("ds2", true, ("train.csv", 10));
        var impact = await _core.Models.GetDeletionImpactAsync("iris", CancellationToken.None);
        Assert.Equal(2, impact.DatasetIds.Count);
        await _core.Models.DeleteAsync("iris", CancellationToken.None);
        Assert.Empty(_core.StoredFiles());
        await Assert.ThrowsAsync<NotFoundException>(() => _core.Datasets.ListAsync("iris", new(), CancellationToken.None).ContinueWith(_ => _core.Models.GetAsync("iris", CancellationToken.None)).Unwrap());
    }
}
