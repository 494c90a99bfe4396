using CityOps.Twin.Contracts.Live;
using CityOps.Twin.Contracts.Mode;
using Orleans;

namespace CityOps.Twin.Grains.Mode;

/// <summary>A silo that did not confirm a switched mode in time: the switch is recorded, but may not yet be in force there.</summary>
public sealed class ModeNotInForceException(IReadOnlyList<string> silos, Exception? cause)
    : Exception($"The mode was switched and recorded, but silo(s) {string.Join(", ", silos)} did not confirm it within {ModeBroadcast.Patience.TotalSeconds:0} s: their grains may still work by the old rules until they do.", cause)
{
    public IReadOnlyList<string> Silos { get; } = silos;
}

/// <summary>Puts a switched mode in force in every active silo's mode cache, and returns only when each has confirmed.</summary>
public static class ModeBroadcast
{
    /// <summary>How long a silo may take to confirm; a silo that is dying is declared dead by membership, and the hub drops it.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    /// <exception cref="ModeNotInForceException">A silo did not confirm within <see cref="Patience"/>.</exception>
    public static async Task InForceEverywhereAsync(IGrainFactory grains, ModeInForce mode)
    {
        var members = await grains.GetGrain<ITwinFeedHubGrain>(ITwinFeedHubGrain.Key).GetObservers();
        var confirmations = members.Select(async member =>
        {
            try
            {
                await member.Observer.ApplyMode(mode).WaitAsync(Patience);
                return ((string?)null, (Exception?)null);
            }
            catch (Exception exception)
            {
                return (member.Silo.ToString(), exception);
            }
        });
        var failed = (await Task.WhenAll(confirmations)).Where(c => c.Item1 is not null).ToList();
        if (failed.Count > 0)
        {
            throw new ModeNotInForceException([.. failed.Select(f => f.Item1!)], failed[0].Item2);
        }
    }
}
