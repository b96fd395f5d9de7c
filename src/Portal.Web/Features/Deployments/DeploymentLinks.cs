namespace Portal.Web.Features.Deployments;

public static class DeploymentLinks
{
    public static string Page(string name) => $"/deployments/{Uri.EscapeDataString(name)}";
    public static string New(string? modelVersion = null) => modelVersion is null ? "/deployments/new" : $"/deployments/new?model_version={Uri.EscapeDataString(modelVersion)}";
    public static string NewFromPackage(string package) => $"/deployments/new?package={Uri.EscapeDataString(package)}";
    /// <summary>The prediction server's paths, below a deployment's <c>/model/{name}/</c>.</summary>
    public const string InvokePath = "api/model/invoke", InfoPath = "api/model/info";

    public static string Invoke(string name) => $"/model/{Uri.EscapeDataString(name)}/{InvokePath}";
    public static string Info(string name) => $"/model/{Uri.EscapeDataString(name)}/{InfoPath}";
}
