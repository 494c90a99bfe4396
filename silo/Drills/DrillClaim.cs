using Orleans.Runtime;

namespace CityOps.Twin.Silo.Drills;

/// <summary>The silo running the cluster's drill: where its view is, which scenario, since when.</summary>
[GenerateSerializer, Immutable, Alias("CityOps.Drills.DrillHolder")]
public sealed record DrillHolder(
    [property: Id(0)] SiloAddress Silo,
    [property: Id(1)] string? View,
    [property: Id(2)] string Scenario,
    [property: Id(3)] DateTimeOffset Since)
{
    public override string ToString() => View is null ? $"silo {Silo.Endpoint}" : $"silo {Silo.Endpoint} ({View})";
}

/// <summary>
/// One drill at a time in the whole cluster: a drill runs in its own in-process silo inside the silo process that
/// started it, and a desk claims the cluster's drill here before it starts one. A claim of a silo that membership
/// declares dead is void, so a drill lost with its silo never blocks the next.
/// </summary>
public interface IDrillClaimGrain : IGrainWithStringKey
{
    const string Key = "cluster";

    /// <summary>Null when the claimant now holds the drill; else the silo that does.</summary>
    Task<DrillHolder?> Claim(DrillHolder claimant);

    Task Release(SiloAddress silo);
}

/// <summary>In memory: if this grain's own silo dies the claim is forgotten, and the running drill's desk claims again at its next step.</summary>
public sealed class DrillClaimGrain(IClusterMembershipService membership) : Grain, IDrillClaimGrain
{
    private DrillHolder? _holder;

    public Task<DrillHolder?> Claim(DrillHolder claimant)
    {
        if (_holder is { } holder && !holder.Silo.Equals(claimant.Silo) && membership.CurrentSnapshot.GetSiloStatus(holder.Silo) != SiloStatus.Dead)
        {
            return Task.FromResult<DrillHolder?>(holder);
        }
        _holder = claimant;
        return Task.FromResult<DrillHolder?>(null);
    }

    public Task Release(SiloAddress silo)
    {
        if (_holder?.Silo.Equals(silo) == true)
        {
            _holder = null;
        }
        return Task.CompletedTask;
    }
}
