using System.Collections.Concurrent;

namespace CityOps.Twin.Runtime.Timers;

/// <summary>Reminders in memory, for silos with in-memory storage: they last as long as the process.</summary>
public sealed class MemoryReminderTable : IReminderTable
{
    private readonly ConcurrentDictionary<(GrainId, string), ReminderEntry> _entries = new();

    public Task<IReadOnlyList<ReminderEntry>> ReadAllAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<ReminderEntry>>([.. _entries.Values]);

    public Task UpsertAsync(ReminderEntry entry, CancellationToken cancellationToken = default)
    {
        _entries[(entry.GrainId, entry.ReminderName)] = entry;
        return Task.CompletedTask;
    }

    public Task RemoveAsync(GrainId grainId, string reminderName, CancellationToken cancellationToken = default)
    {
        _entries.TryRemove((grainId, reminderName), out _);
        return Task.CompletedTask;
    }
}
