using CityOps.Twin.Runtime.Streams;

namespace CityOps.Twin.Runtime.Tests.TestGrains;

public sealed record Reading(string Producer, int Sequence, double Value);

public interface IReadingConsumerGrain : IGrainWithStringKey
{
    Task<IReadOnlyList<Reading>> Received();
}

/// <summary>Activated for every item on a "readings" stream with its key.</summary>
[ImplicitStreamSubscription("readings")]
public sealed class ReadingConsumerGrain(Support.TestProbe probe) : Grain, IReadingConsumerGrain, IAsyncObserver<Reading>
{
    private readonly List<Reading> _received = [];

    public Task OnNextAsync(Reading item)
    {
        _received.Add(item);
        probe.Signal($"{GetPrimaryKeyString()}:reading");
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<Reading>> Received() => Task.FromResult<IReadOnlyList<Reading>>([.. _received]);
}
