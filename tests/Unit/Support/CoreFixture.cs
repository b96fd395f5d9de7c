using Portal.Core.Configuration;
using Portal.Core.Persistence;
using Portal.Core.Services;
using Portal.Core.Storage;

namespace Portal.Tests.Unit.Support;

/// <summary>The use-case services wired to a real SQLite file and a real local file store.</summary>
public sealed class CoreFixture : IAsyncDisposable
{
    private TestDatabase _db = default!;
    private readonly TempDir _files = new();

    public LocalFileStore Files { get; private set; } = default!;
    public ProjectService Projects { get; private set; } = default!;
    public ModelService Models { get; private set; } = default!;
    public DatasetService Datasets { get; private set; } = default!;

    public static async Task<CoreFixture> CreateAsync(double maxUploadMb = 1024)
    {
        var f = new CoreFixture { _db = await TestDatabase.CreateAsync() };
        var config = new PortalConfig { FileStore = { MaxUploadMb = maxUploadMb } };
        var projects = new EfProjectStore(f._db.Factory);
        var models = new EfModelStore(f._db.Factory);
        var datasets = new EfDatasetStore(f._db.Factory);
        f.Files = new LocalFileStore(f._files.Path);
        f.Projects = new ProjectService(projects, models, new Portal.Core.Security.HostPaths(config, PortalPaths.From(config, f._files.Path)), TimeProvider.System);
        f.Models = new ModelService(models, f.Files, TimeProvider.System);
        f.Datasets = new DatasetService(datasets, models, f.Files, new UploadLimits(config), TimeProvider.System);
        return f;
    }

    /// <summary>Files left in the store, relative to its root (excluding empty folders).</summary>
    public string[] StoredFiles() => Directory.GetFiles(Files.Root, "*", SearchOption.AllDirectories)
        .Select(p => Path.GetRelativePath(Files.Root, p)).Order().ToArray();

    public ValueTask DisposeAsync()
    {
        _db.Dispose();
        _files.Dispose();
        return ValueTask.CompletedTask;
    }
}
