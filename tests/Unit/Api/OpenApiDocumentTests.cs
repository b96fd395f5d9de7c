using System.Text.Json;
using System.Text.RegularExpressions;
using Portal.Tests.Unit.Support;

namespace Portal.Tests.Unit.Api;

/// <summary>
/// The OpenAPI document is fit for client generators: plain and unique schema names, an operationId on every
/// route (unique), and each route's problem answers documented.
/// </summary>
public sealed partial class OpenApiDocumentTests : PortalApiTest
{
    private static readonly string[] Methods = ["get", "post", "put", "delete", "patch"];

    [Fact]
    public async Task Schemas_have_plain_names_and_every_route_an_operation_id_and_its_problem_answers()
    {
        var doc = JsonDocument.Parse(await Admin.GetStringAsync("/swagger/v1/swagger.json")).RootElement;
        var schemas = doc.GetProperty("components").GetProperty("schemas").EnumerateObject().Select(p => p.Name).ToList();
        Assert.All(schemas, name => Assert.Matches(PlainName(), name));
        Assert.Contains("DatasetPage", schemas);
        Assert.Contains("Deployment", schemas);
        Assert.Contains("ProblemDetails", schemas);
        var page = doc.GetProperty("components").GetProperty("schemas").GetProperty("DatasetPage");
        Assert.Equal("#/components/schemas/Dataset", page.GetProperty("properties").GetProperty("items").GetProperty("items").GetProperty("$ref").GetString());

        var ids = new List<string>();
        foreach (var path in doc.GetProperty("paths").EnumerateObject())
        foreach (var operation in path.Value.EnumerateObject().Where(o => Methods.Contains(o.Name)))
        {
            var where = $"{operation.Name.ToUpperInvariant()} {path.Name}";
            Assert.True(operation.Value.TryGetProperty("operationId", out var id), $"{where} has no operationId");
            ids.Add(id.GetString()!);
            Assert.Matches(OperationId(), id.GetString()!);
            var responses = operation.Value.GetProperty("responses");
            var anonymous = path.Name.StartsWith("/api/v1/tasks/", StringComparison.Ordinal);
            foreach (var status in anonymous ? ["401"] : new[] { "401", "403" })
            {
                Assert.True(responses.TryGetProperty(status, out var problem), $"{where} does not document {status}");
                Assert.Equal("#/components/schemas/ProblemDetails",
                    problem.GetProperty("content").GetProperty("application/problem+json").GetProperty("schema").GetProperty("$ref").GetString());
            }
            if (path.Name.Contains('{')) Assert.True(responses.TryGetProperty("404", out _), $"{where} names something but does not document 404");
            if (operation.Name is "post" or "put") Assert.True(responses.TryGetProperty("400", out _), $"{where} takes input but does not document 400");
        }
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Contains("getDeploymentsByName", ids);
        Assert.Contains("postPackages", ids);
    }

    [GeneratedRegex("^[A-Z][A-Za-z0-9]*$")]
    private static partial Regex PlainName();

    [GeneratedRegex("^[a-z]+[A-Z][A-Za-z0-9]*$")]
    private static partial Regex OperationId();
}
