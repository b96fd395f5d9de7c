using Portal.Core.Entities;

namespace Portal.Core.Stores;

public interface IScheduleStore
{
    Task<Page<TrainingSchedule>> ListAsync(string? projectName, PageRequest request, CancellationToken ct);
    Task<TrainingSchedule?> FindAsync(string projectName, string name, CancellationToken ct);
    Task<TrainingSchedule?> GetAsync(long id, CancellationToken ct);
    /// <summary>Schedules not paused, with when each is next due.</summary>
    Task<IReadOnlyList<TrainingSchedule>> ListActiveAsync(CancellationToken ct);
    Task<TrainingSchedule> AddAsync(TrainingSchedule schedule, CancellationToken ct);
    /// <summary>Loads the schedule, applies <paramref name="change"/> and saves it, in one unit.</summary>
    Task<TrainingSchedule> MutateAsync(long id, Action<TrainingSchedule> change, CancellationToken ct);
    Task DeleteAsync(long id, CancellationToken ct);
}
