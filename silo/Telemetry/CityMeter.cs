using System.Diagnostics.Metrics;
using CityOps.Twin.Contracts.City;
using CityOps.Twin.Contracts.Devices;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Contracts.Signs;
using CityOps.Twin.Web.Live;

namespace CityOps.Twin.Silo.Telemetry;

/// <summary>
/// The city's state as gauges (meter <see cref="Name"/>): sensors in alarm by level, and cases open and overdue. Each
/// is read at collection from the silo's live picture of the city (<see cref="TwinFeed"/>, which every view already
/// holds), never from a grain: a scrape costs one pass over the devices held in memory. Every silo holds the whole
/// city, so every silo reports the same figures (take one silo's, or the maximum, never the sum). Until the feed
/// holds the city the gauges report nothing rather than a false zero.
/// </summary>
public sealed class CityMeter
{
    public const string Name = "CityOps.Twin.City";

    private static readonly AlarmLevel[] Levels = [AlarmLevel.Blue, AlarmLevel.Yellow, AlarmLevel.Orange, AlarmLevel.Red];

    private readonly TwinFeed _feed;
    private readonly ICityDirectory _city;

    public CityMeter(IMeterFactory meters, TwinFeed feed, ICityDirectory city)
    {
        _feed = feed;
        _city = city;
        var meter = meters.Create(Name);
        meter.CreateObservableGauge("twin.alarms.open", ObserveAlarms, "{alarm}", "Sensors in alarm now, by level (blue, yellow, orange, red).");
        meter.CreateObservableGauge("twin.cases.open", () => Cases(c => c.CasesOpen), "{case}", "Cases not closed or cancelled, city-wide.");
        meter.CreateObservableGauge("twin.cases.overdue", () => Cases(c => c.CasesOverdue), "{case}", "Open cases past the deadline of their current step, city-wide.");
    }

    private IEnumerable<Measurement<int>> ObserveAlarms()
    {
        if (!_feed.Ready.IsCompletedSuccessfully)
        {
            return [];
        }
        var counts = new int[Levels.Length + 1];
        foreach (var device in _feed.Devices)
        {
            if (device.Value is { Kind: DeviceKind.Sensor, Level: > AlarmLevel.None and <= AlarmLevel.Red } sensor)
            {
                counts[(int)sensor.Level]++;
            }
        }
        return Levels.Select(level => new Measurement<int>(counts[(int)level], new KeyValuePair<string, object?>("level", level.ToString().ToLowerInvariant())));
    }

    /// <summary>The city's own counters, the sum of every grid's: the same figures the leaders' wall shows.</summary>
    private IEnumerable<Measurement<int>> Cases(Func<AreaCounters, int> figure)
    {
        if (!_feed.Ready.IsCompletedSuccessfully)
        {
            return [];
        }
        var cityCode = _city.Areas.Values.FirstOrDefault(a => a.Level == AreaLevel.City)?.Code;
        return cityCode is not null && _feed.Signs(cityCode) is { } signs ? [new Measurement<int>(figure(signs.Counters))] : [];
    }
}
