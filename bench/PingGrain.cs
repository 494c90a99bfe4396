namespace CityOps.Twin.Bench;

public interface IPingGrain : IGrainWithStringKey
{
    Task<int> Ping(int value);
}

/// <summary>The trivial grain method of the call benchmark: no state, no I/O, completes synchronously.</summary>
public sealed class PingGrain : Grain, IPingGrain
{
    public Task<int> Ping(int value) => Task.FromResult(value + 1);
}
