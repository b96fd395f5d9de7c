namespace Portal.Web.Features.Deployments;

public static class DeploymentLinks
{
    public static string Page(string name) => $"/deployments/{Uri.EscapeDataString(name)}";
    public static string New(string? modelVersion = null) => modelVersion is null ? "/deployments/new" : $"/deployments/new?model_version={Uri.EscapeDataString(modelVersion)}";
    public static string Invoke(string name) => $"/model/{Uri.EscapeDataString(name)}/api/model/invoke";
    public static string Info(string name) => $"/model/{Uri.EscapeDataString(name)}/api/model/info";
}
