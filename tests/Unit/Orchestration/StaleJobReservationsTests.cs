using Docker.DotNet.Models;
using Portal.Orchestration.Swarm;

namespace Portal.Tests.Unit.Orchestration;

/// <summary>
/// The warning about finished swarm job tasks that still count as reservations, on task objects as Docker.DotNet
/// returns them. A real dockerd is not used: such tasks never go away, so making one would break
/// every later test on the machine's swarm.
/// </summary>
public class StaleJobReservationsTests
{
    private static TaskResponse Task(string desired, string state, long nanoCpus, long memoryBytes) => new()
    {
        ID = Guid.NewGuid().ToString("N"),
        DesiredState = Enum.Parse<TaskState>(desired, ignoreCase: true),
        Status = new Docker.DotNet.Models.TaskStatus { State = Enum.Parse<TaskState>(state, ignoreCase: true) },
        Spec = new TaskSpec
        {
            Resources = nanoCpus == 0 && memoryBytes == 0
                ? new ResourceRequirements()
                : new ResourceRequirements { Reservations = new SwarmResources { NanoCPUs = nanoCpus, MemoryBytes = memoryBytes } },
        },
    };

    [Fact]
    public void Finished_job_tasks_with_reservations_are_named_with_what_they_hold_and_how_to_clear_them()
    {
        var warning = StaleJobReservations.Describe(
        [
            Task("complete", "complete", 1_000_000_000, 1024L * 1024 * 1024),
            Task("complete", "rejected", 500_000_000, 0),
            Task("complete", "running", 2_000_000_000, 0),   // a job still running holds its reservation rightly
            Task("shutdown", "complete", 1_000_000_000, 0),  // a one-replica task ends in desired state shutdown
            Task("complete", "complete", 0, 0),              // nothing reserved, nothing held
        ]);
        Assert.NotNull(warning);
        Assert.StartsWith("2 finished swarm job tasks still count as reserving 1.5 CPUs and 1024 MB", warning);
        Assert.Contains("assigned node no longer meets constraints", warning);
        Assert.Contains("docker swarm leave --force", warning);
    }

    [Fact]
    public void One_task_is_named_in_the_singular() =>
        Assert.StartsWith("1 finished swarm job task still counts as reserving 0.5 CPUs and 64 MB",
            StaleJobReservations.Describe([Task("complete", "complete", 500_000_000, 64L * 1024 * 1024)]));

    [Fact]
    public void A_swarm_without_such_tasks_gets_no_warning() =>
        Assert.Null(StaleJobReservations.Describe([Task("running", "running", 1_000_000_000, 0), Task("shutdown", "failed", 1_000_000_000, 0)]));
}
