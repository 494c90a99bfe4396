namespace CityOps.Twin.Runtime.Timers;

/// <summary>Where reminders are kept across restarts.</summary>
public interface IReminderTable
{
    Task<IReadOnlyList<ReminderEntry>> ReadAllAsync(CancellationToken cancellationToken = default);

    Task UpsertAsync(ReminderEntry entry, CancellationToken cancellationToken = default);

    Task RemoveAsync(GrainId grainId, string reminderName, CancellationToken cancellationToken = default);
}
