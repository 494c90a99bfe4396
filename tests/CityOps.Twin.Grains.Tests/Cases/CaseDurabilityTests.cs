using CityOps.Twin.Contracts.Cases;
using CityOps.Twin.Contracts.Geo;
using CityOps.Twin.Contracts.Security;
using CityOps.Twin.Grains.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using Orleans.Runtime;
using Orleans.Storage;

namespace CityOps.Twin.Grains.Tests.Cases;

/// <summary>
/// A case step is acknowledged only once stored: a write the store refuses puts the case back and refuses the step;
/// a step stored whose deadline reminder did not reach the store is kept, and the reminder is tried again.
/// </summary>
public sealed class CaseDurabilityTests
{
    private static readonly NewCase Report = new("井盖缺失 漕溪北路", "Manhole cover missing", "0301", CaseSource.Patrol,
        new GeoPoint(121.4372, 31.1886), "310104-0012", "巡查员 王芳");

    /// <summary>The grain storage the switchable one passes to: Orleans' memory storage with the twin's JSON state types.</summary>
    private const string InnerStorage = "memory";

    /// <summary>Grain state in Orleans' memory storage that fails every write while <see cref="Down"/>, as a database out of reach.</summary>
    private sealed class SwitchableStorage : IGrainStorage
    {
        public IGrainStorage? Inner { get; set; }

        public bool Down { get; set; }

        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => Inner!.ReadStateAsync(stateName, grainId, grainState);

        public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
            Down ? throw new IOException("the database is unreachable") : Inner!.WriteStateAsync(stateName, grainId, grainState);

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
            Down ? throw new IOException("the database is unreachable") : Inner!.ClearStateAsync(stateName, grainId, grainState);
    }

    /// <summary>Reminders in memory that fail every change while <see cref="Down"/>.</summary>
    private sealed class SwitchableReminders : IReminderTable
    {
        private readonly Lock _lock = new();
        private readonly Dictionary<(GrainId, string), ReminderEntry> _entries = [];
        private long _etag;

        public bool Down { get; set; }

        public Task Init() => Task.CompletedTask;

        public Task<ReminderTableData> ReadRows(GrainId grainId)
        {
            lock (_lock)
            {
                return Task.FromResult(new ReminderTableData(_entries.Values.Where(e => e.GrainId == grainId).ToList()));
            }
        }

        public Task<ReminderTableData> ReadRows(uint begin, uint end)
        {
            lock (_lock)
            {
                // The ring range (begin, end], wrapping past the top when begin >= end.
                return Task.FromResult(new ReminderTableData(_entries.Values.Where(e =>
                {
                    var hash = e.GrainId.GetUniformHashCode();
                    return begin < end ? hash > begin && hash <= end : hash > begin || hash <= end;
                }).ToList()));
            }
        }

        public Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName)
        {
            lock (_lock)
            {
                return Task.FromResult(_entries.GetValueOrDefault((grainId, reminderName)));
            }
        }

        public Task<string?> UpsertRow(ReminderEntry entry)
        {
            if (Down)
            {
                throw new IOException("the reminder table is unreachable");
            }
            lock (_lock)
            {
                var etag = (++_etag).ToString(System.Globalization.CultureInfo.InvariantCulture);
                _entries[(entry.GrainId, entry.ReminderName)] = new ReminderEntry
                {
                    GrainId = entry.GrainId,
                    ReminderName = entry.ReminderName,
                    StartAt = entry.StartAt,
                    Period = entry.Period,
                    ETag = etag,
                };
                return Task.FromResult<string?>(etag);
            }
        }

        public Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag)
        {
            if (Down)
            {
                throw new IOException("the reminder table is unreachable");
            }
            lock (_lock)
            {
                return Task.FromResult(_entries.TryGetValue((grainId, reminderName), out var entry) && entry.ETag == eTag && _entries.Remove((grainId, reminderName)));
            }
        }

        public Task TestOnlyClearTable()
        {
            lock (_lock)
            {
                _entries.Clear();
            }
            return Task.CompletedTask;
        }
    }

    /// <summary>The twin's grain storage name (and the default) served by <paramref name="storage"/>, reminders by <paramref name="reminders"/>.</summary>
    private static TwinStore Switchable(SwitchableStorage storage, SwitchableReminders reminders) => TwinStore.Custom(silo =>
    {
        silo.AddMemoryGrainStorage(InnerStorage, memory => memory.GrainStorageSerializer = new Silo.Storage.JsonGrainStorageSerializer(TwinGrains.StateTypes));
        silo.Services.AddKeyedSingleton<IGrainStorage>(TwinGrains.Storage, (services, _) =>
        {
            storage.Inner = services.GetRequiredKeyedService<IGrainStorage>(InnerStorage);
            return storage;
        });
        silo.Services.AddSingleton<IReminderTable>(reminders);
    });

    [Fact]
    public async Task A_step_the_store_refuses_is_not_taken_and_the_case_stays_as_stored()
    {
        var storage = new SwitchableStorage();
        await using var silo = await TwinSilo.StartAsync(Switchable(storage, new SwitchableReminders()));
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
        await using var silo = await TwinSilo.StartAsync(Switchable(new SwitchableStorage(), reminders));
        var grain = silo.Grain<ICaseGrain>("C-durability-2");

        var reported = await grain.Report(Report);

        Assert.Equal(CaseStatus.Reported, reported.Status);
        reminders.Down = false;
        // The grain tries the reminder again every 5 s; the deadline then comes due as it would have.
        await silo.AdvanceAsync(reported.StepDueAt!.Value - silo.Time.GetUtcNow() + TimeSpan.FromMinutes(1));
        Assert.True((await grain.Get())!.StepOverdue);
    }
}
