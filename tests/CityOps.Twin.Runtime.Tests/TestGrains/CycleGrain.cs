namespace CityOps.Twin.Runtime.Tests.TestGrains;

public interface ICycleGrain : IGrainWithStringKey
{
    /// <summary>Calls the peer, which calls back into this grain: a cycle between non-reentrant grains.</summary>
    Task<string> CallPeer(string peer);

    Task<string> CallBack(string caller);

    Task<string> Name();
}

public sealed class CycleGrain(Support.TestProbe probe) : Grain, ICycleGrain
{
    public Task<string> CallPeer(string peer) => GrainFactory.GetGrain<ICycleGrain>(peer).CallBack(GetPrimaryKeyString());

    public Task<string> CallBack(string caller)
    {
        probe.Signal("callback-entered");
        return GrainFactory.GetGrain<ICycleGrain>(caller).Name();
    }

    public Task<string> Name() => Task.FromResult(GetPrimaryKeyString());
}
