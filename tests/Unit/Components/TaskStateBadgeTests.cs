using MudBlazor.Services;
using Bunit;
using Portal.Core.Entities;
using Portal.Web.Features.Trainings;

namespace Portal.Tests.Unit.Components;

/// <summary>The state badge of a task, rendered with bUnit: the state, and the engine-unreachable mark while it lasts.</summary>
public sealed class TaskStateBadgeTests : BunitContext, IAsyncLifetime
{
    public TaskStateBadgeTests()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
    }

    private static readonly DateTime Since = new(2026, 12, 1, 15, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void A_running_task_whose_engine_is_away_shows_its_state_and_since_when_the_engine_is_unreachable()
    {
        var badge = Render<TaskStateBadge>(p => p.Add(b => b.State, TaskState.Running).Add(b => b.UnreachableSince, Since));
        Assert.Equal("RUNNING", badge.Find("[data-state]").GetAttribute("data-state"));
        var mark = badge.Find(".engine-unreachable");
        Assert.Contains("ENGINE UNREACHABLE", mark.TextContent);
        Assert.Equal("Since 2026-12-01 15:00:00Z", mark.GetAttribute("title"));
    }

    [Fact]
    public void An_ended_task_or_one_whose_engine_answers_shows_no_mark()
    {
        Assert.Empty(Render<TaskStateBadge>(p => p.Add(b => b.State, TaskState.Failed).Add(b => b.UnreachableSince, Since)).FindAll(".engine-unreachable"));
        Assert.Empty(Render<TaskStateBadge>(p => p.Add(b => b.State, TaskState.Running)).FindAll(".engine-unreachable"));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    Task IAsyncLifetime.DisposeAsync() => base.DisposeAsync().AsTask();
}
