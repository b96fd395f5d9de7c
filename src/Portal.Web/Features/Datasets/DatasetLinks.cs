namespace Portal.Web.Features.Datasets;

/// <summary>Addresses of dataset pages and downloads, escaped once here.</summary>
public static class DatasetLinks
{
    private static string E(string s) => Uri.EscapeDataString(s);

    public static string Page(string model, string name) => $"/datasets/{E(model)}/{E(name)}";
    public static string Api(string model) => $"/api/v1/models/{E(model)}/datasets";
    public static string File(string model, string name, string file) => $"{Api(model)}/{E(name)}/files/{E(file)}";
    public static string Archive(string model, string name) => $"{Api(model)}/{E(name)}/archive";
}
