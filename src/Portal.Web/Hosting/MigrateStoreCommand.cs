using Portal.Core.Configuration;
using Portal.Core.Errors;
using Portal.Core.Persistence;
using Portal.Core.Security;
using Portal.Core.Storage;

namespace Portal.Web.Hosting;

/// <summary>
/// <c>Portal.Web migrate-store --to TARGET.yaml</c>: copies the metadata and files the portal's configuration names into
/// the stores TARGET.yaml names (its <c>store</c> and/or <c>file_store</c> sections; what it leaves out stays where it
/// is), then checks row counts and file hashes. Run with the portal stopped; afterwards, point portal.yaml at the target.
/// </summary>
public static class MigrateStoreCommand
{
    public const string Verb = "migrate-store";

    public static async Task<int> RunAsync(WebApplication app, string[] args, CancellationToken ct)
    {
        var file = args.SkipWhile(a => a != "--to").Skip(1).FirstOrDefault();
        if (file is null || !File.Exists(file))
        {
            Console.Error.WriteLine($"usage: Portal.Web {Verb} --to TARGET.yaml   (a file with the target's store and/or file_store sections)");
            return 2;
        }
        var yaml = await File.ReadAllTextAsync(file, ct);
        var sections = Portal.Core.Settings.SettingsSections.TopLevelKeys(yaml, new ValidationErrors());
        var source = app.Services.GetRequiredService<PortalConfig>();
        var sourcePaths = app.Services.GetRequiredService<PortalPaths>();
        PortalConfig target;
        try
        {
            var given = PortalConfigLoader.Parse(yaml, file);
            target = new PortalConfig
            {
                Store = sections.ContainsKey("store") ? given.Store : source.Store,
                FileStore = sections.ContainsKey("file_store") ? given.FileStore : source.FileStore,
            };
        }
        catch (ConfigException e)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }
        var targetPaths = PortalPaths.From(target, Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));
        var (fromStore, toStore) = (app.Services.GetRequiredService<MetadataStore>(), MetadataStore.From(target, targetPaths));
        var (fromFiles, toFiles) = (FileStores.Describe(source.FileStore, sourcePaths), FileStores.Describe(target.FileStore, targetPaths));
        var migration = new StoreMigration(Console.WriteLine);
        Console.WriteLine("Stop the portal before migrating: what it writes meanwhile would not be copied.");
        try
        {
            var ok = true;
            if (toStore.Describe() == fromStore.Describe()) Console.WriteLine($"Metadata stays in {fromStore.Describe()}.");
            else ok &= await migration.CopyMetadataAsync(fromStore, toStore, ct);
            if (toFiles == fromFiles) Console.WriteLine($"Files stay in the {fromFiles}.");
            else
            {
                Console.WriteLine($"Copying the files from the {fromFiles} to the {toFiles}");
                var targetStore = FileStores.Create(target.FileStore, targetPaths, app.Services.GetRequiredService<CredentialVault>());
                try { ok &= await migration.CopyFilesAsync(app.Services.GetRequiredService<IFileStore>(), targetStore, ct); }
                finally { (targetStore as IDisposable)?.Dispose(); }
            }
            Console.WriteLine(ok
                ? "Verified: every table has as many rows and every file the same sha256 in the target. Point portal.yaml at it and start the portal."
                : "The copy does NOT match the source (see MISMATCH above): keep using the source.");
            return ok ? 0 : 1;
        }
        catch (PortalException e)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }
    }
}
