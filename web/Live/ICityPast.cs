using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Web.Signs;

namespace CityOps.Twin.Web.Live;

/// <summary>
/// The live city as its history kept it at a past moment, for the map's time slider: each grid's index as of its
/// latest stored sample at or before the moment, the sensors then in alarm, and the mode then. The silo implements it
/// over its history store; a twin that keeps no history registers none, and the view offers no slider.
/// </summary>
public interface ICityPast
{
    /// <exception cref="CityPastUnavailableException">The history cannot be read now (not ready, or its database failing).</exception>
    Task<CityMoment> AtAsync(DateTimeOffset at, SignIndex index, CancellationToken cancellationToken);
}

/// <param name="Grids">Grids with a sample at or before the moment, by code; a grid with none is not in it.</param>
/// <param name="Alarms">Sensors in alarm at the moment (a level above None), as their last alarm change left them.</param>
/// <param name="Mode">The mode as the last switch at or before the moment named it ("Normal", "Emergency Flood III"), or null when none is kept.</param>
public sealed record CityMoment(
    DateTimeOffset At, IReadOnlyDictionary<string, GridThen> Grids, IReadOnlyList<AlarmThen> Alarms, string? Mode, DateTimeOffset? ModeSince);

/// <summary>A grid's index then, and when the sample holding it was taken (its age at the moment is At minus SampledAt).</summary>
public sealed record GridThen(double Value, DateTimeOffset SampledAt);

/// <summary>A sensor in alarm then, since the change that raised it to this level.</summary>
public sealed record AlarmThen(string SensorId, AlarmLevel Level, DateTimeOffset Since, string? GridCode);

public sealed class CityPastUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
