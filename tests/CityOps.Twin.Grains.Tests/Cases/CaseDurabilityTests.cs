using CityOps.Twin.Contracts.Cases;
using CityOps.Twin.Contracts.Geo;
using CityOps.Twin.Contracts.Security;
using CityOps.Twin.Grains.Tests.Support;
using CityOps.Twin.Runtime;
using CityOps.Twin.Runtime.Persistence;
using CityOps.Twin.Runtime.Timers;

namespace CityOps.Twin.Grains.Tests.Cases;

/// <summary>
/// A case step is acknowledged only once stored: a write the store refuses puts the case back and refuses the step;
/// a step stored whose deadline reminder did not reach the store is kept, and the reminder is tried again.
/// </summary>
public sealed class CaseDurabilityTests
{
    private static readonly NewCase Report = new("井盖缺失 漕溪北路", "Manhole cover missing", "0301", CaseSource.Patrol,
        new GeoPoint(121.4372, 31.1886), "310104-0012", "巡查员 王芳");

    /// <summary>Grain state in memory that fails every write while <see cref="Down"/>, as a database out of reach.</summary>
    private sealed class SwitchableStorage : IGrainStorage
    {
        private readonly MemoryGrainStorage _inner = new();

        public bool Down { get; set; }

        public string Name => _inner.Name;

        public Task<GrainStateRecord?> ReadAsync(GrainStateKey key, CancellationToken cancellationToken = default) => _inner.ReadAsync(key, cancellationToken);

        public Task<long> WriteAsync(GrainStateKey key, string payload, long expectedVersion, CancellationToken cancellationToken = default) =>
            Down ? throw new IOException("the database is unreachable") : _inner.WriteAsync(key, payload, expectedVersion, cancellationToken);

        public Task<long> ClearAsync(GrainStateKey key, long expectedVersion, CancellationToken cancellationToken = default) => _inner.ClearAsync(key, expectedVersion, cancellationToken);

        public Task<IReadOnlyList<GrainStateWriteResult>> WriteManyAsync(IReadOnlyList<GrainStateWrite> writes, CancellationToken cancellationToken = default) =>
            Down ? throw new IOException("the database is unreachable") : _inner.WriteManyAsync(writes, cancellationToken);
    }

    /// <summary>Reminders in memory that fail every change while <see cref="Down"/>.</summary>
    private sealed class SwitchableReminders : IReminderTable
    {
        private readonly MemoryReminderTable _inner = new();

        public bool Down { get; set; }

        public Task<IReadOnlyList<ReminderEntry>> ReadAllAsync(CancellationToken cancellationToken = default) => _inner.ReadAllAsync(cancellationToken);

        public Task UpsertAsync(ReminderEntry entry, CancellationToken cancellationToken = default) =>
            Down ? throw new IOException("the reminder table is unreachable") : _inner.UpsertAsync(entry, cancellationToken);

        public Task RemoveAsync(GrainId grainId, string reminderName, CancellationToken cancellationToken = default) =>
            Down ? throw new IOException("the reminder table is unreachable") : _inner.RemoveAsync(grainId, reminderName, cancellationToken);
    }

    [Fact]
    public async Task A_step_the_store_refuses_is_not_taken_and_the_case_stays_as_stored()
    {
        var storage = new SwitchableStorage();
        await using var silo = await TwinSilo.StartAsync(b => b.UseStorage(storage, new MemoryReminderTable()));
        var grain = silo.Grain<ICaseGrain>("C-durability-1");
        var reported = await grain.Report(Report);

        storage.Down = true;
        var refused = await Assert.ThrowsAsync<TwinNotDurableException>(() => grain.Act(new CaseStep(CaseAction.Register, "值班员")));

        Assert.Contains("was not recorded", refused.Message);
        Assert.Equal(reported, await grain.Get());
        storage.Down = false;
        var registered = await grain.Act(new CaseStep(CaseAction.Register, "值班员"));
        Assert.Equal(CaseStatus.Registered, registered.Status);
        // One timeline entry for the one step taken: nothing of the refused attempt remains.
        Assert.Equal(2, registered.Timeline.Count);
    }

    [Fact]
    public async Task A_case_stored_while_its_deadline_reminder_could_not_be_is_kept_and_its_deadline_still_flags_it_overdue()
    {
        var reminders = new SwitchableReminders { Down = true };
        await using var silo = await TwinSilo.StartAsync(b => b.UseStorage(new MemoryGrainStorage(), reminders));
        var grain = silo.Grain<ICaseGrain>("C-durability-2");

        var reported = await grain.Report(Report);

        Assert.Equal(CaseStatus.Reported, reported.Status);
        reminders.Down = false;
        // The grain tries the reminder again every 5 s; the deadline then comes due as it would have.
        await silo.AdvanceAsync(reported.StepDueAt!.Value - silo.Time.GetUtcNow() + TimeSpan.FromMinutes(1));
        Assert.True((await grain.Get())!.StepOverdue);
    }
}
