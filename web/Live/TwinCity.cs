using CityOps.Twin.Contracts.Cases;
using CityOps.Twin.Contracts.City;
using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Contracts.Security;

namespace CityOps.Twin.Web.Live;

/// <summary>
/// A city the twin view shows: the live city, or a running drill's copy of it (its own silo, grains, feed, mode and
/// clock). Every page reads and acts through the one it is given, so a page in a drill can neither show nor touch the
/// live city: its grains, its feed, its case intake and its commands are the drill's.
/// </summary>
public sealed class TwinCity(
    string? drillName,
    TwinFeed feed,
    IGrainFactory grains,
    ICityDirectory directory,
    IModeSwitchboard switchboard,
    ICaseIntake intake,
    ITwinCommands commands,
    TimeProvider clock)
{
    /// <summary>The drill's name, or null for the live city.</summary>
    public string? DrillName { get; } = drillName;

    public bool IsDrill => DrillName is not null;

    /// <summary>The city's live picture: devices, cases, indices and mode, pushed.</summary>
    public TwinFeed Feed { get; } = feed;

    public IGrainFactory Grains { get; } = grains;

    public ICityDirectory Directory { get; } = directory;

    public IModeSwitchboard Switchboard { get; } = switchboard;

    public ICaseIntake Intake { get; } = intake;

    /// <summary>A person's actions on this city, authorized; the live city's are audited, a drill's are recorded in its timeline.</summary>
    public ITwinCommands Commands { get; } = commands;

    /// <summary>The city's clock: real time, or the drill clock (deadlines and "overdue" are read on it).</summary>
    public TimeProvider Clock { get; } = clock;
}

/// <summary>The running drill's city for the twin view, when there is one to enter (ready: filed, its feed loaded).</summary>
public interface IDrillCities
{
    /// <summary>The running drill's city, or null when no drill runs or it is still being prepared.</summary>
    TwinCity? Running { get; }

    /// <summary>Raised when the drill moves on, starts or ends; handlers must only take note.</summary>
    event Action? Changed;
}
