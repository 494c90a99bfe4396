using Orleans;
using Orleans.Concurrency;
using Orleans.Runtime;

namespace CityOps.Twin.Silo.Tests.Drills.Engine;

/// <summary>A grain with a grain timer that notes the drill time of every tick.</summary>
public interface ITickingGrain : IGrainWithStringKey
{
    Task Start(TimeSpan period);

    Task<List<DateTimeOffset>> Ticks();

    Task<DateTimeOffset> Now();
}

/// <summary>A grain with a reminder that notes the drill time of every reminder tick.</summary>
public interface IRemindedGrain : IGrainWithStringKey, IRemindable
{
    Task Start(TimeSpan period);

    Task<List<DateTimeOffset>> Ticks();
}

/// <summary>The head of a chain: its timer tick hands the tick's time to a relay without waiting for it.</summary>
public interface IChainHeadGrain : IGrainWithStringKey
{
    Task Start(TimeSpan period);
}

public interface IChainRelayGrain : IGrainWithStringKey
{
    Task Relay(DateTimeOffset tickedAt);
}

/// <summary>The end of a chain, reached by a one-way call: notes the tick's time and its own drill time.</summary>
public interface IChainEndGrain : IGrainWithStringKey
{
    [OneWay]
    Task Record(DateTimeOffset tickedAt);

    Task<List<ChainRecord>> Records();
}

[GenerateSerializer, Immutable]
public sealed record ChainRecord([property: Id(0)] DateTimeOffset TickedAt, [property: Id(1)] DateTimeOffset RecordedAt);

public interface ICounterGrain : IGrainWithStringKey
{
    Task<int> Add();
}

/// <summary>A grain whose call waits for the test to let it go: a turn that does not end.</summary>
public interface IStuckGrain : IGrainWithStringKey
{
    Task Wait();
}

public sealed class TickingGrain(TimeProvider time) : Grain, ITickingGrain
{
    private readonly List<DateTimeOffset> _ticks = [];

    public Task Start(TimeSpan period)
    {
        this.RegisterGrainTimer(() =>
        {
            _ticks.Add(time.GetUtcNow());
            return Task.CompletedTask;
        }, period, period);
        return Task.CompletedTask;
    }

    public Task<List<DateTimeOffset>> Ticks() => Task.FromResult(_ticks.ToList());

    public Task<DateTimeOffset> Now() => Task.FromResult(time.GetUtcNow());
}

public sealed class RemindedGrain(TimeProvider time) : Grain, IRemindedGrain
{
    private readonly List<DateTimeOffset> _ticks = [];

    public Task Start(TimeSpan period) => this.RegisterOrUpdateReminder("tick", period, period);

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        _ticks.Add(time.GetUtcNow());
        return Task.CompletedTask;
    }

    public Task<List<DateTimeOffset>> Ticks() => Task.FromResult(_ticks.ToList());
}

public sealed class ChainHeadGrain(TimeProvider time) : Grain, IChainHeadGrain
{
    public Task Start(TimeSpan period)
    {
        this.RegisterGrainTimer(() =>
        {
            // Not awaited on purpose: the chain must still be finished before the drill clock moves.
            _ = GrainFactory.GetGrain<IChainRelayGrain>(this.GetPrimaryKeyString()).Relay(time.GetUtcNow());
            return Task.CompletedTask;
        }, period, period);
        return Task.CompletedTask;
    }
}

public sealed class ChainRelayGrain : Grain, IChainRelayGrain
{
    public async Task Relay(DateTimeOffset tickedAt)
    {
        await Task.Yield();
        await GrainFactory.GetGrain<IChainEndGrain>(this.GetPrimaryKeyString()).Record(tickedAt);
    }
}

public sealed class ChainEndGrain(TimeProvider time) : Grain, IChainEndGrain
{
    private readonly List<ChainRecord> _records = [];

    public async Task Record(DateTimeOffset tickedAt)
    {
        await Task.Yield();
        _records.Add(new ChainRecord(tickedAt, time.GetUtcNow()));
    }

    public Task<List<ChainRecord>> Records() => Task.FromResult(_records.ToList());
}

public sealed class CounterGrain : Grain, ICounterGrain
{
    private int _count;

    public Task<int> Add() => Task.FromResult(++_count);
}

public sealed class StuckGrain : Grain, IStuckGrain
{
    public static readonly TaskCompletionSource Release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Wait() => Release.Task;
}
