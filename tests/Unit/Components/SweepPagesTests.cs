using System.Net.Http.Json;
using Bunit;
using Portal.Core.Security;
using Portal.Web.Features.Schedules;
using Portal.Web.Features.Sweeps;

namespace Portal.Tests.Unit.Components;

/// <summary>
/// The Schedules page (its empty state, the form's errors by field, a schedule's next time in the list) and a schedule's
/// page (next times, an empty history, pause and resume). The Sweeps page (its empty state, the form's errors by field, a sweep's progress in the list) and a sweep's page (its
/// trials with their parameters and states, live as the supervisor launches them), over the real portal's services with
/// the in-memory manager (trials keep running).
/// </summary>
public sealed class SweepPagesTests : PortalPageContext
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await SeedIrisAsync();
    }

    [Fact]
    public void The_sweeps_page_says_there_are_none_and_its_form_names_what_to_fix()
    {
        SignIn("dana", Roles.DataScientist);
        var page = Render<SweepsPage>();
        page.WaitForAssertion(() => Assert.Contains("No sweeps yet", page.Markup));
        page.Find("#new-sweep").Click();
        page.WaitForElement("#sweep-form");
        page.Find("#sweep-spec").Change("method: grid\nparameters:\n  a: {min: 1, max: 9}\n");
        page.Find("#sweep-form form").Submit();
        page.WaitForAssertion(() =>
        {
            var form = page.Find("#sweep-form").TextContent;
            Assert.Contains("There is no project named ''", form);
            Assert.Contains("a grid needs choices or a range with a step", form);
            Assert.Contains("Name the metric that judges the trials", form);
        });
    }

    [Fact]
    public async Task A_sweeps_page_shows_each_trial_with_its_values_and_state_and_the_list_shows_its_progress()
    {
        (await Admin.PostAsJsonAsync("/api/v1/sweeps", new
        {
            project = "iris", name = "lr", notebook = "nb.ipynb", objective = "accuracy", max_parallel = 2, spec = "parameters:\n  x: [1, 2, 3]\n",
        })).EnsureSuccessStatusCode();
        SignIn("dana", Roles.DataScientist);

        var detail = Render<SweepDetailPage>(p => p.Add(s => s.Project, "iris").Add(s => s.Name, "lr"));
        detail.WaitForAssertion(() => Assert.Equal(3, detail.FindAll("#sweep-trials tbody tr").Count));
        var rows = detail.FindAll("#sweep-trials tbody tr");
        Assert.Equal(["1", "2", "3"], rows.Select(r => r.Children[2].TextContent.Trim()));
        Assert.Contains("lr-1", rows[0].TextContent);
        Assert.Contains("pending", rows[2].TextContent);
        Assert.Contains("No trial has finished with accuracy yet", detail.Find("#sweep-best").TextContent);
        Assert.Contains("at most 2 at once", detail.Find("#sweep-summary").TextContent);
        Assert.NotNull(detail.Find("#stop-sweep"));
        Assert.NotNull(detail.Find("#compare-trials"));

        var list = Render<SweepsPage>();
        list.WaitForAssertion(() => Assert.Contains("2 / 3", list.Find("#sweeps-grid").TextContent));
        Assert.Contains("RUNNING", list.Find("#sweeps-grid").TextContent);

        // Stopped through the API, the page follows: the trials are cancelled and the sweep says who stopped it.
        (await Admin.PostAsync("/api/v1/sweeps/iris/lr/stop", null)).EnsureSuccessStatusCode();
        detail.WaitForAssertion(() => Assert.Contains("Stopped by", detail.Find("#sweep-message").TextContent));
        Assert.Empty(detail.FindAll("#stop-sweep"));
    }

    [Fact]
    public void The_schedules_page_says_there_are_none_and_its_form_names_what_to_fix()
    {
        SignIn("dana", Roles.DataScientist);
        var page = Render<SchedulesPage>();
        page.WaitForAssertion(() => Assert.Contains("No schedules yet", page.Markup));
        page.Find("#new-schedule").Click();
        page.WaitForElement("#schedule-form");
        page.Find("#schedule-cron").Change("every night");
        page.Find("#schedule-zone").Change("Mars/Olympus");
        page.Find("#schedule-form form").Submit();
        page.WaitForAssertion(() =>
        {
            var form = page.Find("#schedule-form").TextContent;
            Assert.Contains("'every night' is not a cron schedule", form);
            Assert.Contains("not a time zone", form);
            Assert.Contains("There is no project named ''", form);
        });
    }

    [Fact]
    public async Task A_schedules_page_shows_its_next_times_and_pauses_and_resumes()
    {
        (await Admin.PostAsJsonAsync("/api/v1/schedules", new { project = "iris", name = "nightly", cron = "0 3 * * *", notebook = "nb.ipynb" }))
            .EnsureSuccessStatusCode();
        SignIn("dana", Roles.DataScientist);
        var list = Render<SchedulesPage>();
        list.WaitForAssertion(() => Assert.Contains("03:00 UTC", list.Find("#schedules-grid").TextContent));

        var detail = Render<ScheduleDetailPage>(p => p.Add(s => s.Project, "iris").Add(s => s.Name, "nightly"));
        detail.WaitForAssertion(() => Assert.Equal(3, detail.FindAll("#schedule-next li").Count));
        Assert.All(detail.FindAll("#schedule-next li"), li => Assert.EndsWith("03:00", li.TextContent.Trim()));
        Assert.Contains("It has not come due yet", detail.Find("#schedule-history").TextContent);
        Assert.Contains("the next time is skipped", detail.Find("#schedule-summary").TextContent);

        detail.Find("#pause-schedule").Click();
        detail.WaitForAssertion(() => Assert.Contains("Paused: nothing runs", detail.Find("#schedule-next").TextContent));
        list.WaitForAssertion(() => Assert.Contains("PAUSED", list.Find("#schedules-grid").TextContent));
        detail.Find("#resume-schedule").Click();
        detail.WaitForAssertion(() => Assert.Equal(3, detail.FindAll("#schedule-next li").Count));
    }
}
