using System.Collections.Concurrent;
using System.Text.Json.Serialization;
using Orleans;
using Orleans.Runtime;

namespace CityOps.Twin.Silo.Tests.Storage;

/// <summary>A small stored state: a count and the last note, enough to tell one write from another.</summary>
[GenerateSerializer, Alias("storage-tests.tally")]
public sealed class TallyState
{
    [Id(0)] public int Count { get; set; }

    [Id(1)] public string Note { get; set; } = string.Empty;
}

/// <summary>A type the tests' JSON context leaves out on purpose.</summary>
public sealed class UnlistedState
{
    public int Value { get; set; }
}

[JsonSerializable(typeof(TallyState))]
public sealed partial class StorageTestJsonContext : JsonSerializerContext;

/// <summary>A grain whose every change is written through: acknowledged after it is stored.</summary>
public interface ITallyGrain : IGrainWithStringKey
{
    Task<TallyState> Add(int amount, string note);

    Task<TallyState> Read();

    Task Clear();
}

public sealed class TallyGrain([PersistentState(TallyGrain.StateName, StorageTestHost.ProviderName)] IPersistentState<TallyState> state) : Grain, ITallyGrain
{
    public const string StateName = "tally";

    public async Task<TallyState> Add(int amount, string note)
    {
        state.State.Count += amount;
        state.State.Note = note;
        await state.WriteStateAsync();
        return state.State;
    }

    public Task<TallyState> Read() => Task.FromResult(state.State);

    public Task Clear() => state.ClearStateAsync();
}

/// <summary>A hot grain (a sensor's reading): its state name is configured write-behind in the tests that need it.</summary>
public interface IReadingGrain : IGrainWithStringKey
{
    Task Record(int value);

    Task<int> Latest();
}

public sealed class ReadingGrain([PersistentState(ReadingGrain.StateName, StorageTestHost.ProviderName)] IPersistentState<TallyState> state) : Grain, IReadingGrain
{
    public const string StateName = "reading";

    public Task Record(int value)
    {
        state.State.Count = value;
        return state.WriteStateAsync();
    }

    public Task<int> Latest() => Task.FromResult(state.State.Count);
}

/// <summary>A durable deadline: one reminder, registered on request, heard through the silo's <see cref="ReminderLog"/>.</summary>
public interface IDeadlineGrain : IGrainWithStringKey
{
    Task Arm(TimeSpan due);
}

public sealed class DeadlineGrain(ReminderLog log) : Grain, IDeadlineGrain, IRemindable
{
    public const string ReminderName = "deadline";

    public Task Arm(TimeSpan due) => this.RegisterOrUpdateReminder(ReminderName, due, TimeSpan.FromMinutes(10));

    public Task ReceiveReminder(string reminderName, Orleans.Runtime.TickStatus status)
    {
        log.Fired(this.GetPrimaryKeyString());
        return Task.CompletedTask;
    }
}

/// <summary>The reminders that fired, shared by every silo host of a test.</summary>
public sealed class ReminderLog
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _fired = new();

    public void Fired(string grain) => Signal(grain).TrySetResult();

    public Task WhenFired(string grain) => Signal(grain).Task;

    private TaskCompletionSource Signal(string grain) => _fired.GetOrAdd(grain, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}
