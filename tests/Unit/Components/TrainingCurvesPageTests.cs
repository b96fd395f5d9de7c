using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Entities;
using Portal.Core.Notifications;
using Portal.Core.Security;
using Portal.Core.Stores;
using Portal.Core.Trainings;
using Portal.Web.Features.Trainings;

namespace Portal.Tests.Unit.Components;

/// <summary>The training page's curves: a chart per metric from the stored series, and points drawn as they are published.</summary>
public sealed class TrainingCurvesPageTests : PortalPageContext
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await SeedIrisAsync();
    }

    [Fact]
    public async Task Each_metric_gets_a_chart_with_its_steps_and_a_published_point_is_drawn_live()
    {
        SignIn("dana", Roles.DataScientist);
        var training = await Services.GetRequiredService<TrainingService>().GetAsync("iris", "t1", CancellationToken.None);
        var at = DateTime.UtcNow;
        await Services.GetRequiredService<IMetricStore>().AddAsync(
            [.. Enumerable.Range(0, 50).SelectMany(s => new[]
            {
                new MetricStep { TrainingId = training.Id, Name = "loss", Step = s, Value = 1.0 / (s + 1), At = at },
                new MetricStep { TrainingId = training.Id, Name = "accuracy", Step = s, Value = s / 50.0, At = at },
            })], CancellationToken.None);

        var page = Render<TrainingCurves>(p => p.Add(c => c.Project, "iris").Add(c => c.Name, "t1").Add(c => c.TrainingId, training.Id));
        page.WaitForElement("#curve-loss");
        Assert.Equal("50 steps · last 0.02", page.Find(".curve-summary[data-metric='loss']").TextContent.Trim());
        Assert.Equal("50 steps · last 0.98", page.Find(".curve-summary[data-metric='accuracy']").TextContent.Trim());
        Assert.NotEmpty(page.FindAll("#curve-loss svg"));

        Services.GetRequiredService<ChangeFeed<MetricSteps>>().Publish(new MetricSteps(training.Id,
            [new MetricStep { TrainingId = training.Id, Name = "loss", Step = 50, Value = 0.01, At = at }]));
        page.WaitForAssertion(() => Assert.Equal("51 steps · last 0.01", page.Find(".curve-summary[data-metric='loss']").TextContent.Trim()),
            TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Long_series_are_thinned_for_the_chart_keeping_the_last_point()
    {
        var points = Enumerable.Range(0, 1000).Select(s => new KeyValuePair<long, double>(s, s)).ToList();
        var drawn = TrainingCurves.Thinned(points).ToList();
        Assert.Equal(TrainingCurves.MaxDrawn, drawn.Count);
        Assert.Equal(999, drawn[^1].Key);
        Assert.Equal(0, drawn[0].Key);
    }
}
