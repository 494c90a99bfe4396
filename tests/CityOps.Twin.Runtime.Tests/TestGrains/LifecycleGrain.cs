namespace CityOps.Twin.Runtime.Tests.TestGrains;

public interface ILifecycleGrain : IGrainWithStringKey
{
    Task<string> Ping();

    Task Leave();
}

/// <summary>Reports construction, activation and deactivation to the probe, keyed by its own key.</summary>
public sealed class LifecycleGrain : Grain, ILifecycleGrain
{
    private readonly Support.TestProbe _probe;

    public LifecycleGrain(Support.TestProbe probe)
    {
        _probe = probe;
        probe.Signal($"{GetPrimaryKeyString()}:constructed");
    }

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _probe.Signal($"{GetPrimaryKeyString()}:activated");
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _probe.Signal($"{GetPrimaryKeyString()}:deactivated:{reason.ReasonCode}");
        return Task.CompletedTask;
    }

    public Task<string> Ping() => Task.FromResult(GetPrimaryKeyString());

    public Task Leave()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }
}

public interface IBrokenGrain : IGrainWithStringKey
{
    Task<int> Ping();
}

/// <summary>Fails to activate the first time for each key, then works.</summary>
public sealed class BrokenGrain(Support.TestProbe probe) : Grain, IBrokenGrain
{
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        probe.Signal($"{GetPrimaryKeyString()}:activation-attempt");
        if (probe.Count($"{GetPrimaryKeyString()}:activation-attempt") == 1)
        {
            throw new InvalidOperationException("the first activation fails");
        }
        return Task.CompletedTask;
    }

    public Task<int> Ping() => Task.FromResult(1);
}
