
namespace CityOps.Twin.Contracts.Mode;

/// <summary>
/// The one grain (key <see cref="CityKey"/>) that holds the city's mode and the audit of its switches. Each
/// switch goes to every silo's feed; silos keep the mode in force in a cache of their own, filled from
/// <see cref="GetModeInForce"/> at start, so no grain asks this one as it activates.
/// </summary>
public interface ICityModeGrain : IGrainWithStringKey
{
    public const string CityKey = "city";

    Task<CityMode> GetMode();

    /// <summary>The rules a grid works by now: Emergency when the city's emergency covers it, otherwise Normal.</summary>
    Task<OperatingMode> GetModeFor(string gridCode);

    /// <summary>The mode with the grids its emergency covers, for a silo's mode cache.</summary>
    Task<ModeInForce> GetModeInForce();

    /// <summary>Records a switch; <paramref name="coveredGrids"/> are the grids of its districts (empty: city-wide).</summary>
    /// <exception cref="ModeSwitchException">The switch lacks what it needs or changes nothing.</exception>
    Task<ModeChange> Switch(ModeSwitch request, IReadOnlyList<string> coveredGrids);

    /// <summary>Every switch so far, oldest first.</summary>
    Task<IReadOnlyList<ModeChange>> GetHistory();
}
