namespace Portal.Web.Ide;

/// <summary>The one connection pool the IDE proxy forwards through, for the portal's lifetime.</summary>
public sealed class IdeForwarderClient : IDisposable
{
    public HttpMessageInvoker Invoker { get; } = IdeProxy.CreateInvoker();

    public void Dispose() => Invoker.Dispose();
}
