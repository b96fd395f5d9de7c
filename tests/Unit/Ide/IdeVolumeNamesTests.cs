using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Configuration;
using Portal.Core.Ide;
using Portal.Tests.Unit.Support;

namespace Portal.Tests.Unit.Ide;

/// <summary>
/// Finding 9: IDE home volumes were named portal-home-{user} on the whole engine, so two portals on one engine shared a
/// user's home. Names now carry the installation's id, kept in its data directory.
/// </summary>
public sealed class IdeVolumeNamesTests
{
    [Fact]
    public void Two_installations_on_one_engine_never_share_a_users_home_and_one_keeps_its_names_across_restarts()
    {
        using var first = new PortalAppFactory();
        using var second = new PortalAppFactory();
        var a = first.Services.GetRequiredService<IdeStorage>();
        var b = second.Services.GetRequiredService<IdeStorage>();
        Assert.NotEqual(a.HomeVolume("dana"), b.HomeVolume("dana"));
        Assert.NotEqual(a.SharedVolume, b.SharedVolume);
        Assert.Matches("^portal-[0-9a-f]{8}-home-dana$", a.HomeVolume("dana"));

        var again = new InstallationId(first.Services.GetRequiredService<PortalPaths>());
        Assert.Equal(first.Services.GetRequiredService<InstallationId>().Value, again.Value);
    }

    [Fact]
    public void An_admin_may_keep_the_names_of_earlier_versions()
    {
        using var legacy = new PortalAppFactory("ide:\n  volume_prefix: portal\n");
        var ide = legacy.Services.GetRequiredService<IdeStorage>();
        Assert.Equal("portal-home-dana", ide.HomeVolume("dana"));
        Assert.Equal("portal-shared", ide.SharedVolume);
    }
}
