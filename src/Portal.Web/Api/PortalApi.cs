namespace Portal.Web.Api;

public static class PortalApi
{
    /// <summary>Maps the REST API under /api/v1.</summary>
    public static IEndpointRouteBuilder MapPortalApi(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/api/v1").ProducesProblem(StatusCodes.Status400BadRequest);
        v1.MapProjectsApi();
        v1.MapModelsApi();
        v1.MapDatasetsApi();
        v1.MapTrainingsApi();
        v1.MapBuildsApi();
        v1.MapModelVersionsApi();
        v1.MapDeploymentsApi();
        v1.MapIdeApi();
        return app;
    }
}
