using System.Text.Json;
using Portal.Core.Builds;
using Portal.Core.Configuration;
using Portal.Core.Entities;
using Portal.Core.Errors;
using Portal.Core.Names;
using Portal.Core.Security;
using Portal.Core.Stores;

namespace Portal.Core.Ide;

/// <summary>An image offered for IDE sessions: a short name people choose by, the image, what is in it.</summary>
public sealed record IdeImage(string Name, string Image, string? Desc);

/// <summary>
/// The admin-curated list of IDE images (the article's base/scipy/datascience choice): portal.yaml's
/// <c>ide.images</c>, or the list an admin saved in the portal, which then takes precedence. A session may use one
/// of these or an image some project's build produced; nothing else.
/// </summary>
public sealed class IdeImageCatalog(ISettingsStore settings, IBuildStore builds, PortalConfig config, AuditLog audit, TimeProvider clock)
{
    public const string SettingKey = "ide.images";
    public const int MaxImages = 50;

    public async Task<(IReadOnlyList<IdeImage> Images, PortalSetting? Saved)> GetAsync(CancellationToken ct)
    {
        var saved = await settings.FindAsync(SettingKey, ct);
        if (saved is not null && JsonSerializer.Deserialize<List<IdeImage>>(saved.Value) is { } list) return (list, saved);
        return ([.. config.Ide.Images.Select(i => new IdeImage(i.Name, i.Image, i.Desc))], null);
    }

    public async Task<IReadOnlyList<IdeImage>> ListAsync(CancellationToken ct) => (await GetAsync(ct)).Images;

    /// <summary>Replaces the list (admins only); every entry is checked and all problems are reported at once.</summary>
    public async Task<IReadOnlyList<IdeImage>> SaveAsync(IReadOnlyList<IdeImage> images, CancellationToken ct)
    {
        var (cleaned, setting) = await PrepareAsync(images, ct);
        await settings.SaveAsync(setting, ct);
        return cleaned;
    }

    /// <summary>Checks the list (admins only) and returns the setting that holds it, for a caller saving it with others.</summary>
    public async Task<(IReadOnlyList<IdeImage> Images, PortalSetting Setting)> PrepareAsync(IReadOnlyList<IdeImage> images, CancellationToken ct)
    {
        await audit.DemandAsync(Roles.Admin, "change the IDE images", SettingKey, ct);
        var errors = new ValidationErrors();
        if (images.Count == 0) errors.Add("images", "Offer at least one image (the notebook base image is a good first one).");
        if (images.Count > MaxImages) errors.Add("images", $"At most {MaxImages} images can be offered.");
        var cleaned = images.Select(i => new IdeImage(i.Name.Trim(), i.Image.Trim(), string.IsNullOrWhiteSpace(i.Desc) ? null : i.Desc.Trim())).ToList();
        for (var i = 0; i < cleaned.Count; i++)
        {
            var image = cleaned[i];
            if (NameRules.Check(image.Name, "image name") is { } nameProblem) errors.Add($"images[{i}].name", nameProblem);
            else if (cleaned.FindIndex(x => x.Name == image.Name) != i) errors.Add($"images[{i}].name", $"'{image.Name}' is listed twice.");
            if (ProjectImages.CheckReference(image.Image) is { } imageProblem) errors.Add($"images[{i}].image", imageProblem);
            if (image.Desc is { Length: > 300 }) errors.Add($"images[{i}].desc", "The description is longer than 300 characters.");
        }
        errors.ThrowIfAny();
        return (cleaned, new PortalSetting
        {
            Key = SettingKey, Value = JsonSerializer.Serialize(cleaned), UpdatedAt = clock.GetUtcNow().UtcDateTime, UpdatedBy = ActorContext.Current!.Name,
        });
    }

    /// <summary>Goes back to portal.yaml's list (admins only).</summary>
    public async Task ResetAsync(CancellationToken ct)
    {
        await audit.DemandAsync(Roles.Admin, "change the IDE images", SettingKey, ct);
        await settings.RemoveAsync(SettingKey, ct);
    }

    /// <summary>Null when a session may use <paramref name="image"/>; else why not.</summary>
    public async Task<string?> ProblemAsync(string image, CancellationToken ct)
    {
        if ((await ListAsync(ct)).Any(i => i.Image == image) || await builds.AnyWithImageAsync(image, ct)) return null;
        return $"'{image}' is neither one of the IDE images an admin offers nor a project's build; pick one from the list.";
    }
}
