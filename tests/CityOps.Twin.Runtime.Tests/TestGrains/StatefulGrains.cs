using System.Text.Json.Serialization;

namespace CityOps.Twin.Runtime.Tests.TestGrains;

public sealed class CounterState
{
    public int Value { get; set; }

    public List<string> History { get; set; } = [];
}

public interface IStatefulGrain : IGrainWithStringKey
{
    Task<int> Increment(string note);

    Task<CounterState> Get();

    Task<(long Etag, bool RecordExists)> Version();

    Task Clear();
}

/// <summary>Write-through state: each increment is durable when the call returns.</summary>
public sealed class StatefulGrain([PersistentState("counter")] IPersistentState<CounterState> counter) : Grain, IStatefulGrain
{
    public async Task<int> Increment(string note)
    {
        counter.State.Value++;
        counter.State.History.Add(note);
        await counter.WriteStateAsync();
        return counter.State.Value;
    }

    public Task<CounterState> Get() => Task.FromResult(counter.State);

    public Task<(long Etag, bool RecordExists)> Version() => Task.FromResult((counter.Etag, counter.RecordExists));

    public Task Clear() => counter.ClearStateAsync();
}

public interface IHotGrain : IGrainWithStringKey
{
    Task Set(int value);

    Task<int> Get();
}

/// <summary>Write-behind state, like a sensor's latest reading.</summary>
public sealed class HotGrain([PersistentState("latest", WriteBehind = true)] IPersistentState<CounterState> latest) : Grain, IHotGrain
{
    public Task Set(int value)
    {
        latest.State.Value = value;
        return latest.WriteStateAsync();
    }

    public Task<int> Get() => Task.FromResult(latest.State.Value);
}

public interface IGaugeGrain : IGrainWithStringKey
{
    Task Set(int value);
}

/// <summary>A latest value saved within the runtime's window and a history that may be saved later, like a sensor's.</summary>
public sealed class GaugeGrain(
    [PersistentState("latest", WriteBehind = true)] IPersistentState<CounterState> latest,
    [PersistentState("history", WriteBehind = true, WriteBehindSeconds = 10)] IPersistentState<CounterState> history) : Grain, IGaugeGrain
{
    public async Task Set(int value)
    {
        latest.State.Value = value;
        await latest.WriteStateAsync();
        history.State.Value += value;
        await history.WriteStateAsync();
    }
}

[JsonSerializable(typeof(CounterState))]
internal sealed partial class TestStateJsonContext : JsonSerializerContext;
