using Portal.Web.Auth;

namespace Portal.Web.Api;

public static class PortalApi
{
    /// <summary>Maps the REST API under /api/v1.</summary>
    public static IEndpointRouteBuilder MapPortalApi(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/api/v1").ProducesProblem(StatusCodes.Status400BadRequest).RequirePolicyByMethod();
        v1.MapProjectsApi();
        v1.MapModelsApi();
        v1.MapDatasetsApi();
        v1.MapTrainingsApi();
        v1.MapBatchJobsApi();
        v1.MapSweepsApi();
        v1.MapSchedulesApi();
        v1.MapBuildsApi();
        v1.MapModelVersionsApi();
        v1.MapTaskAssetsApi();
        v1.MapPackagesApi();
        v1.MapDeploymentsApi();
        v1.MapRoutesApi();
        v1.MapWebhooksApi();
        v1.MapIdeApi();
        v1.MapAccountApi();
        v1.MapUsersApi();
        v1.MapCredentialsApi();
        v1.MapAuditApi();
        v1.MapSettingsApi();
        v1.MapLineageApi();
        v1.MapDashboardsApi();
        return app;
    }
}
