namespace CityOps.Twin.Runtime.Tests.TestGrains;

public interface ICounterGrain : IGrainWithStringKey
{
    Task<int> Add(int amount);

    Task<int> Get();

    Task Fail(string message);

    Task<int> AddSlowly(int amount, string gate);
}

/// <summary>A plain in-memory counter, with a method that throws and one that waits on a test's gate.</summary>
public sealed class CounterGrain(Support.TestProbe probe) : Grain, ICounterGrain
{
    private int _value;

    public Task<int> Add(int amount) => Task.FromResult(_value += amount);

    public Task<int> Get() => Task.FromResult(_value);

    public Task Fail(string message) => throw new InvalidOperationException(message);

    public async Task<int> AddSlowly(int amount, string gate)
    {
        probe.Signal($"{GetPrimaryKeyString()}:slow-started");
        await probe.Gate(gate);
        return _value += amount;
    }
}
