using Microsoft.AspNetCore.Components;

namespace Portal.Tests.Unit.Support;

/// <summary>The navigation state of a static render at a fixed address.</summary>
public sealed class StaticNavigationManager : NavigationManager
{
    public StaticNavigationManager() => Initialize("http://localhost/", "http://localhost/");
}
