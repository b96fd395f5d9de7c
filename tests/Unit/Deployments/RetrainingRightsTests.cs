using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Deployments;
using Portal.Core.Entities;
using Portal.Core.Security;
using Portal.Core.Stores;
using Portal.Tests.Unit.Components;

namespace Portal.Tests.Unit.Deployments;

/// <summary>
/// The attack: a retraining the portal launches on an accuracy alert must not carry more rights than a data scientist. The
/// project's folder (here outside <c>security.host_paths</c>, as a project an admin registered or one whose folder was
/// moved) is refused for a data scientist, and so for the retraining; a launch with no actor passed as an admin.
/// </summary>
public sealed class RetrainingRightsTests : PortalPageContext
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await SeedIrisAsync();
    }

    [Fact]
    public async Task A_retraining_on_an_alert_gets_a_data_scientists_rights_and_is_refused_a_folder_users_may_not_use()
    {
        (await Admin.PutAsJsonAsync("/api/v1/models/iris-clf", new { name = "iris-clf", kind = "classification" })).EnsureSuccessStatusCode();
        using (ActorContext.Use(new Actor("dana", [Roles.DataScientist], null)))
            await Services.GetRequiredService<DeploymentService>().SetAlertAsync("iris-api",
                new AccuracyAlert(0.9, WindowMinutes: 60, MinLabelled: 20, RetrainNotebook: "nb.ipynb"), CancellationToken.None);
        var deployment = await Services.GetRequiredService<IDeploymentStore>().FindAsync("iris-api", CancellationToken.None);
        var at = DateTime.UtcNow;
        // 30 answered requests with feedback, half of them wrong: accuracy 0.5, under the threshold.
        await Services.GetRequiredService<IPredictionStore>().AddAsync([.. Enumerable.Range(0, 30).Select(i => new PredictionRecord
        {
            DeploymentId = deployment!.Id, RequestId = $"r{i}", Path = "api/model/invoke", At = at, Status = 200, ModelVersion = "iris-clf/1",
            Response = """{"prediction": [["setosa"]]}""", Feedback = i % 2 == 0 ? """{"truth": "setosa"}""" : """{"truth": "virginica"}""", FeedbackAt = at,
        })], CancellationToken.None);

        var alert = await Services.GetRequiredService<AccuracyAlerts>().CheckAsync("iris-api", CancellationToken.None);
        Assert.NotNull(alert);
        Assert.Equal(JsonValueKind.Null, alert.Value.GetProperty("retraining").ValueKind);
        Assert.Contains("security.host_paths", alert.Value.GetProperty("retraining_problem").GetString());
        Assert.Equal(1, (await Admin.GetFromJsonAsync<JsonElement>("/api/v1/trainings?project=iris")).GetProperty("total").GetInt32());
    }
}
