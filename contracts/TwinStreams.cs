namespace CityOps.Twin.Contracts;

/// <summary>The twin's stream namespaces (provider "Default"). Each stream's key says whose events it carries.</summary>
public static class TwinStreams
{
    public const string Provider = "Default";

    /// <summary><see cref="Sensors.SensorAlarmChanged"/> keyed by grid code: the alarm feed of the map.</summary>
    public const string SensorAlarms = "sensor-alarms";

    /// <summary><see cref="Devices.DeviceState"/> keyed by grid code: what the grid counts.</summary>
    public const string DeviceStates = "device-states";

    /// <summary><see cref="Cases.CaseRecord"/> keyed by grid code, after every step of a case.</summary>
    public const string CaseChanges = "case-changes";

    /// <summary><see cref="Signs.AreaSummary"/> keyed by the parent's code: the tree's reduce step.</summary>
    public const string AreaSummaries = "area-summaries";

    /// <summary><see cref="Mode.ModeChange"/> keyed "city": every switch of the city's mode.</summary>
    public const string CityMode = "city-mode";

    /// <summary><see cref="Signs.VitalSigns"/> keyed by the area's own code, for the views.</summary>
    public const string VitalSigns = "vital-signs";
}
