using Portal.Core.Batch;
using Portal.Core.Entities;
using Portal.Core.Trainings;
using static Portal.Web.Api.ApiModels;

namespace Portal.Web.Api;

/// <summary>
/// Batch jobs (ODAHU's batch inference): a model version scores a dataset in a one-off run; the predictions become a
/// dataset. A job is a training of kind batch, so its state, log, cancel and notebook are under /trainings/{project}/{name}.
/// </summary>
public static class BatchJobsApi
{
    public sealed record BatchJobDto(string Version, string Dataset, string? Project, string? Entry, string? Output, string? Name,
        string? ResourceProfile, string? BuildTag);

    public static void MapBatchJobsApi(this RouteGroupBuilder v1)
    {
        var g = v1.MapGroup("/batch-jobs").WithTags("Batch jobs");

        g.MapGet("/", async ([AsParameters] ListQuery q, string? project, TrainingService s, CancellationToken ct) =>
            (await s.ListAsync(project, TrainingKind.Batch, q.ToPageRequest(), ct)).ToDto(t => t.ToDto()))
            .WithSummary("List batch jobs, newest first (sort by created_at, name or state; filter by project).");

        g.MapPost("/", async (BatchJobDto input, BatchJobService s, CancellationToken ct) =>
            {
                var job = await s.LaunchAsync(new BatchJobInput
                {
                    Version = input.Version ?? "", Dataset = input.Dataset ?? "", Project = input.Project, Entry = input.Entry,
                    Output = input.Output, Name = input.Name, ResourceProfile = input.ResourceProfile, BuildTag = input.BuildTag,
                }, ct);
                var at = $"/api/v1/trainings/{Uri.EscapeDataString(job.Project!.Name)}/{Uri.EscapeDataString(job.Name)}";
                return TypedResults.Created(at, job.ToDto());
            })
            .WithSummary("Score a dataset (model/dataset) with a model version (model/version) and the project's prediction code (entry, "
                + "predict.py by default); each .csv or .json file gets its predictions, stored as the dataset 'output' of the "
                + "version's model.")
            .ProducesProblem(StatusCodes.Status409Conflict);
    }
}
