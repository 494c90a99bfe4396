using CityOps.Twin.Contracts.Mode;

namespace CityOps.Twin.Grains.Mode;

/// <summary>
/// The city's mode as this silo's grains work by it, so that a sensor activating or a case taking a step never asks
/// the one mode grain (a million activations after a restart would queue on it). A switch is put in force here in
/// every silo before it is acknowledged (<see cref="ModeBroadcast"/>); a silo that starts reads the mode grain once,
/// after its feed is registered, so a switch made meanwhile reaches it one way or the other. The newest mode wins,
/// whichever way it came.
/// </summary>
public sealed class CityModeCache
{
    private State _state;

    public CityModeCache() => _state = new(new ModeInForce(CityMode.Normal(DateTimeOffset.MinValue, "system"), []), []);

    public ModeInForce Current => Volatile.Read(ref _state).Mode;

    /// <summary>True once the silo has read the mode grain or been told of a switch.</summary>
    public bool Known => Current.Mode.Since != DateTimeOffset.MinValue;

    public OperatingMode For(string gridCode)
    {
        var state = Volatile.Read(ref _state);
        return state.Mode.For(gridCode, state.Covered);
    }

    /// <summary>Takes the mode if it is at least as new as the one held; an older one arriving late is ignored.</summary>
    public bool Apply(ModeInForce mode)
    {
        var next = new State(mode, [.. mode.CoveredGrids]);
        while (true)
        {
            var held = Volatile.Read(ref _state);
            if (mode.Mode.Since < held.Mode.Mode.Since)
            {
                return false;
            }
            if (Interlocked.CompareExchange(ref _state, next, held) == held)
            {
                return true;
            }
        }
    }

    private sealed record State(ModeInForce Mode, HashSet<string> Covered);
}
