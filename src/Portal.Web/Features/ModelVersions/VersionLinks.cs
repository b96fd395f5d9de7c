namespace Portal.Web.Features.ModelVersions;

public static class VersionLinks
{
    public static string Page(string model, string version) => $"/models/{Uri.EscapeDataString(model)}/versions/{Uri.EscapeDataString(version)}";
    public static string List(string? model = null) => model is null ? "/model-versions" : $"/model-versions?model={Uri.EscapeDataString(model)}";
    public static string Upload(string? model = null) => model is null ? "/model-versions/new" : $"/model-versions/new?model={Uri.EscapeDataString(model)}";
    public static string Api(string model) => $"/api/v1/models/{Uri.EscapeDataString(model)}/versions";
    public static string File(string model, string version, string file) => $"{Api(model)}/{Uri.EscapeDataString(version)}/files/{Uri.EscapeDataString(file)}";
    public static string Archive(string model, string version) => $"{Api(model)}/{Uri.EscapeDataString(version)}/archive";
}
