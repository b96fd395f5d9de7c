using Portal.Core.Entities;

namespace Portal.Core.Stores;

public interface ITrainingStore
{
    /// <summary>
    /// Trainings of one project or all, of one kind or all; sort keys: name, created_at, state. Search matches name, project
    /// and notebook.
    /// </summary>
    Task<Page<Training>> ListAsync(string? projectName, TrainingKind? kind, PageRequest request, CancellationToken ct);
    Task<Training?> FindAsync(string projectName, string name, CancellationToken ct);
    /// <summary>The trainings named (project, training) that exist, in one read (a comparison); missing ones are left out.</summary>
    Task<IReadOnlyList<Training>> FindManyAsync(IReadOnlyCollection<(string Project, string Name)> names, CancellationToken ct);
    Task<Training?> GetAsync(long id, CancellationToken ct);
    Task<Training?> FindByTokenHashAsync(string tokenHash, CancellationToken ct);
    /// <summary>Trainings not yet in a final state (WAITING or RUNNING).</summary>
    Task<IReadOnlyList<Training>> ListActiveAsync(CancellationToken ct);
    /// <summary>The trials of a sweep, in launch order.</summary>
    Task<IReadOnlyList<Training>> ListBySweepAsync(long sweepId, CancellationToken ct);
    /// <summary>The runs a schedule launched, newest first, at most <paramref name="take"/>.</summary>
    Task<IReadOnlyList<Training>> ListByScheduleAsync(long scheduleId, int take, CancellationToken ct);
    Task<Training> AddAsync(Training training, CancellationToken ct);
    /// <summary>Loads the training, applies <paramref name="change"/> and saves it, in one unit.</summary>
    Task<Training> MutateAsync(long id, Action<Training> change, CancellationToken ct);
}
