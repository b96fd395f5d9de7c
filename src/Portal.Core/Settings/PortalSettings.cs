using System.Globalization;
using Portal.Core.Configuration;
using Portal.Core.Containers;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Ide;
using Portal.Core.Security;
using Portal.Core.Stores;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Portal.Core.Settings;

/// <summary>A start-up-only field whose saved value waits for a restart.</summary>
public sealed record PendingRestart(string Path, string Running, string Saved);

/// <summary>What the settings pages show: the saved values (a copy to edit), which sections were saved here and by whom, what waits for a restart.</summary>
public sealed record SettingsView(PortalConfig Saved, IReadOnlyDictionary<string, PortalSetting> Stored, IReadOnlyList<PendingRestart> Pending, IReadOnlyList<string> Problems);

/// <summary>
/// The admin's settings: sections of portal.yaml changed in the portal, checked by the same rules as the file, saved in
/// the metadata store (where they take precedence over the file) and applied to the running portal at once, except the
/// fields it only reads at start-up, which wait for a restart. Export and import speak portal.yaml. Nine dependencies
/// (the written reason for passing seven): a check may need what the settings govern (environments in use by versions
/// and deployments, IDE images, a probe of the chosen container manager). Past 200 lines for the same reason: save,
/// apply, export and import share one lock and one view of what waits for a restart.
/// </summary>
public sealed class PortalSettings(
    PortalConfig live, SettingsBaseline baseline, ISettingsStore store, IModelVersionStore versions, IDeploymentStore deployments,
    IdeImageCatalog ideImages, IContainerManagerProbe probe, AuditLog audit, TimeProvider clock) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private PortalConfig _saved = SettingsSections.CopyAll(baseline.Running);

    public async Task<SettingsView> GetAsync(CancellationToken ct)
    {
        await audit.DemandAsync(Roles.Admin, "read settings", null, ct);
        var stored = new Dictionary<string, PortalSetting>();
        foreach (var section in SettingsSections.All)
            if (await store.FindAsync(SettingsSections.Key(section), ct) is { } s) stored[section] = s;
        return new SettingsView(SettingsSections.CopyAll(_saved), stored, Pending(), baseline.Problems);
    }

    /// <summary>Saves one section as it stands in <paramref name="edited"/> (a copy from <see cref="GetAsync"/>); every problem is reported with its YAML path.</summary>
    public async Task<IReadOnlyList<PendingRestart>> SaveAsync(string section, PortalConfig edited, CancellationToken ct)
    {
        await audit.DemandAsync(Roles.Admin, "change settings", section, ct);
        RequireSection(section);
        await _gate.WaitAsync(ct);
        try
        {
            var candidate = SettingsSections.CopyAll(_saved);
            Take(candidate, edited, section);
            var errors = new ValidationErrors();
            foreach (var v in PortalConfigValidator.Validate(candidate).Where(v => InSection(v.Path, section)))
                errors.Add(v.Path, v.Message);
            if (section == SettingsSections.Environments && errors.IsEmpty) await CheckEnvironmentsAsync(candidate.Environments, errors, ct);
            errors.ThrowIfAny();
            await StoreAsync(section, candidate, ct);
            return Pending();
        }
        finally { _gate.Release(); }
    }

    /// <summary>Forgets the saved section: portal.yaml's value applies again.</summary>
    public async Task<IReadOnlyList<PendingRestart>> ResetAsync(string section, CancellationToken ct)
    {
        await audit.DemandAsync(Roles.Admin, "change settings", section, ct);
        RequireSection(section);
        await _gate.WaitAsync(ct);
        try
        {
            if (section == SettingsSections.Environments)
            {
                var errors = new ValidationErrors();
                await CheckEnvironmentsAsync(baseline.File.Environments, errors, ct);
                errors.ThrowIfAny();
            }
            await store.RemoveAsync(SettingsSections.Key(section), ct);
            SettingsSections.Assign(_saved, baseline.File, section);
            ApplyLive(section);
            return Pending();
        }
        finally { _gate.Release(); }
    }

    /// <summary>The sections admins can change, with their saved values, as portal.yaml text.</summary>
    public async Task<string> ExportAsync(CancellationToken ct)
    {
        await audit.DemandAsync(Roles.Admin, "export settings", null, ct);
        var text = new System.Text.StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"# Portal settings, exported {clock.GetUtcNow():yyyy-MM-dd HH:mm} UTC by {ActorContext.Current?.Name}.");
        text.AppendLine("# Import them on the Settings page, or put them in portal.yaml. store, auth and logger are set in portal.yaml only.");
        foreach (var section in SettingsSections.All) text.Append(SettingsSections.ToYaml(_saved, section));
        var images = await ideImages.ListAsync(ct);
        text.Append(new SerializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).ConfigureDefaultValuesHandling(DefaultValuesHandling.OmitNull).Build()
            .Serialize(new Dictionary<string, object> { ["ide"] = new Dictionary<string, object> { ["images"] = images.Select(i => new IdeImageConfig { Name = i.Name, Image = i.Image, Desc = i.Desc }).ToList() } }));
        return text.ToString();
    }

    /// <summary>
    /// Reads portal.yaml text and saves every section it holds (a section absent from it is left alone). Nothing is saved
    /// unless everything is valid. Returns the sections saved.
    /// </summary>
    public async Task<IReadOnlyList<string>> ImportAsync(string yaml, CancellationToken ct)
    {
        await audit.DemandAsync(Roles.Admin, "import settings", null, ct);
        var (present, parsed) = Read(yaml, "the imported YAML");
        var errors = new ValidationErrors();

        foreach (var (key, children) in present)
        {
            if (SettingsSections.FileOnly.Contains(key))
                errors.Add(key, $"'{key}' is set in portal.yaml only (the portal reads it when it starts); take it out of the import.");
            else if (key == "ide" && children.Any(c => c != "images"))
                errors.Add("ide", $"Only ide.images can be imported; set {string.Join(", ", children.Where(c => c != "images").Select(c => $"ide.{c}"))} in portal.yaml.");
        }
        var sections = SettingsSections.All.Where(present.ContainsKey).ToList();
        if (sections.Count == 0 && !present.ContainsKey("ide") && errors.IsEmpty)
            errors.Add("yaml", $"There is nothing to import: the YAML holds none of {string.Join(", ", SettingsSections.All)}, ide.images.");
        if (sections.Contains(SettingsSections.Environments) && errors.IsEmpty) await CheckEnvironmentsAsync(parsed.Environments, errors, ct);
        errors.ThrowIfAny();

        await _gate.WaitAsync(ct);
        try
        {
            // Everything checked first, then saved in one transaction: an import is applied whole or not at all.
            var rows = new List<PortalSetting>();
            if (present.ContainsKey("ide"))
                rows.Add((await ideImages.PrepareAsync([.. parsed.Ide.Images.Select(i => new IdeImage(i.Name, i.Image, i.Desc))], ct)).Setting);
            var candidate = SettingsSections.CopyAll(_saved);
            foreach (var section in sections)
            {
                SettingsSections.Assign(candidate, parsed, section);
                rows.Add(Row(section, candidate));
            }
            await store.SaveAllAsync(rows, ct);
            foreach (var section in sections) Applied(section, candidate);
        }
        finally { _gate.Release(); }
        return present.ContainsKey("ide") ? [.. sections, "ide.images"] : sections;
    }

    /// <summary>
    /// Noronha's nha.yaml: what has a counterpart is imported as <see cref="ImportAsync"/> does (all or nothing), and
    /// the keys left out or renamed are returned with their lines and why.
    /// </summary>
    public async Task<(IReadOnlyList<string> Sections, NoronhaConfig.Translation Translation)> ImportNoronhaAsync(string nhaYaml, CancellationToken ct)
    {
        await audit.DemandAsync(Roles.Admin, "import settings", null, ct);
        var translation = NoronhaConfig.Translate(nhaYaml);
        if (translation.PortalYaml.Length == 0)
            throw new ValidationFailedException("yaml", "Nothing in this nha.yaml has a counterpart here: " +
                string.Join("; ", translation.Ignored.Select(i => $"{i.Key} (line {i.Line}): {i.Reason}")) + ".");
        return (await ImportAsync(translation.PortalYaml, ct), translation);
    }

    /// <summary>
    /// Reaches the container manager the saved settings name, or the one <paramref name="yaml"/> describes
    /// (container_manager, docker and kube sections given there replace the saved ones for the test only).
    /// </summary>
    public async Task<ConnectionReport> TestConnectionAsync(string? yaml, CancellationToken ct)
    {
        var candidate = SettingsSections.CopyAll(_saved);
        if (!string.IsNullOrWhiteSpace(yaml))
        {
            var (present, given) = Read(yaml, "the posted YAML");
            foreach (var section in new[] { SettingsSections.ContainerManager, SettingsSections.Docker, SettingsSections.Kube }.Where(present.ContainsKey))
                SettingsSections.Assign(candidate, given, section);
        }
        return await TestConnectionAsync(candidate, ct);
    }

    /// <summary>Reaches the container manager <paramref name="candidate"/> names (a form's unsaved values), after checking them.</summary>
    public async Task<ConnectionReport> TestConnectionAsync(PortalConfig candidate, CancellationToken ct)
    {
        await audit.DemandAsync(Roles.Admin, "test the container manager", null, ct);
        var errors = new ValidationErrors();
        foreach (var v in PortalConfigValidator.Validate(candidate).Where(v => new[] { SettingsSections.ContainerManager, SettingsSections.Docker, SettingsSections.Kube }.Any(s => InSection(v.Path, s))))
            errors.Add(v.Path, v.Message);
        errors.ThrowIfAny();
        return await probe.ProbeAsync(candidate, ct);
    }

    /// <summary>Start-up-only fields whose saved value differs from what the running portal uses.</summary>
    public IReadOnlyList<PendingRestart> Pending() => SettingsSections.RestartOnly
        .Select(f => new PendingRestart(f.Path, Show(f.Get(baseline.Running)), Show(f.Get(_saved))))
        .Where(p => p.Running != p.Saved)
        .ToList();

    private async Task StoreAsync(string section, PortalConfig candidate, CancellationToken ct)
    {
        await store.SaveAsync(Row(section, candidate), ct);
        Applied(section, candidate);
    }

    /// <summary>The stored row of one section, after checking it reads back exactly as portal.yaml would be read.</summary>
    private PortalSetting Row(string section, PortalConfig candidate)
    {
        var yaml = SettingsSections.ToYaml(candidate, section);
        try { SettingsSections.Parse(yaml, $"setting {section}"); }
        catch (ConfigException e) { throw Refusal(section, e); }
        return new PortalSetting
        {
            Key = SettingsSections.Key(section), Value = yaml, UpdatedAt = clock.GetUtcNow().UtcDateTime, UpdatedBy = ActorContext.Current?.Name ?? "",
        };
    }

    private void Applied(string section, PortalConfig candidate)
    {
        SettingsSections.Assign(_saved, candidate, section);
        ApplyLive(section);
    }

    private void ApplyLive(string section)
    {
        SettingsSections.Assign(live, _saved, section);
        foreach (var field in SettingsSections.RestartOnly.Where(f => f.Section == section))
            field.KeepRunning(live, baseline.Running);
    }

    private async Task CheckEnvironmentsAsync(IReadOnlyList<string> next, ValidationErrors errors, CancellationToken ct)
    {
        var promoted = await versions.PromotionCountsAsync(ct);
        var deployed = await deployments.EnvironmentCountsAsync(ct);
        foreach (var env in promoted.Keys.Union(deployed.Keys).Where(e => !next.Contains(e)).Order())
        {
            var uses = new List<string>();
            if (promoted.TryGetValue(env, out var v)) uses.Add(v == 1 ? "1 model version is promoted to it" : $"{v} model versions are promoted to it");
            if (deployed.TryGetValue(env, out var d)) uses.Add(d == 1 ? "1 deployment runs in it" : $"{d} deployments run in it");
            errors.Add(SettingsSections.Environments, $"'{env}' is still in use ({string.Join(", ", uses)}); keep it in the list.");
        }
    }

    private static void Take(PortalConfig to, PortalConfig from, string section)
    {
        SettingsSections.Replace(to, from, section);
        if (section == SettingsSections.Environments) to.Environments = [.. from.Environments.Select(e => e.Trim())];
    }

    /// <summary>Which sections a portal.yaml text names (with their keys), and what it says, checked like the file.</summary>
    private static (Dictionary<string, IReadOnlyList<string>> Present, PortalConfig Parsed) Read(string yaml, string origin)
    {
        var errors = new ValidationErrors();
        var present = SettingsSections.TopLevelKeys(yaml, errors);
        errors.ThrowIfAny();
        try { return (present, SettingsSections.Parse(yaml, origin)); }
        catch (ConfigException e) { throw Refusal("yaml", e); }
    }

    /// <summary>Each problem of a configuration text as a sentence that starts with where it is.</summary>
    private static ValidationFailedException Refusal(string field, ConfigException e) =>
        new(new Dictionary<string, string[]>
        {
            [field] = [.. e.Problems.Select(p => p.Line is null ? p.Message : $"Line {p.Line}, column {p.Column}: {p.Message}")],
        });

    private static bool InSection(string path, string section) =>
        path == section || path.StartsWith(section + ".", StringComparison.Ordinal) || path.StartsWith(section + "[", StringComparison.Ordinal);

    private static void RequireSection(string section)
    {
        if (!SettingsSections.All.Contains(section))
            throw new ValidationFailedException("section", $"'{section}' is not a settings section; use one of {string.Join(", ", SettingsSections.All)}.");
    }

    private static string Show(object? value) => value switch
    {
        null => "(empty)",
        string s => s.TrimEnd(),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    public void Dispose() => _gate.Dispose();
}
