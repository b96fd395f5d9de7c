namespace Portal.Tests.Unit.Support;

/// <summary>A test class with the portal in memory and a client that calls its API as the first admin.</summary>
public abstract class PortalApiTest(string extraYaml = "") : IAsyncLifetime
{
    protected PortalAppFactory App { get; } = new(extraYaml);
    protected HttpClient Admin { get; private set; } = null!;

    public virtual async Task InitializeAsync() => Admin = await App.CreateClientAsync();

    public virtual async Task DisposeAsync()
    {
        Admin.Dispose();
        await App.DisposeAsync();
    }
}
