using Portal.Core.Configuration;
using Portal.Web.Hosting;

if (args.FirstOrDefault() == HealthcheckCommand.Verb) return await HealthcheckCommand.RunAsync(CancellationToken.None);

var builder = WebApplication.CreateBuilder(args);

PortalConfigLoader.Result loaded;
try
{
    loaded = PortalConfigLoader.Load(ConfigSources.FromProcess(builder.Configuration["config"]));
    var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
    var store = Portal.Core.Persistence.MetadataStore.From(loaded.Config, PortalPaths.From(loaded.Config, home));
    var stored = await Portal.Core.Settings.StoredSettings.ReadAsync(store, CancellationToken.None);
    builder.AddPortal(loaded.Config, stored);
}
catch (ConfigException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

var app = builder.Build();
try { await app.PreparePortalAsync(loaded.File, CancellationToken.None); }
catch (Portal.Core.Errors.ValidationFailedException e)
{
    Console.Error.WriteLine(string.Join(Environment.NewLine, e.Errors.Select(f => $"{f.Key}: {string.Join(" ", f.Value)}")));
    return 2;
}
catch (ConfigException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
if (args.FirstOrDefault() == IssueTokenCommand.Verb) return await IssueTokenCommand.RunAsync(app, args, CancellationToken.None);
if (args.FirstOrDefault() == MigrateStoreCommand.Verb) return await MigrateStoreCommand.RunAsync(app, args, CancellationToken.None);
app.MapPortal();
await app.RunAsync();
return 0;

/// <summary>Entry point type, visible to the in-memory host tests.</summary>
public partial class Program;
