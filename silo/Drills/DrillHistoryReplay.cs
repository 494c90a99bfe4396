using System.Data.Common;
using System.Globalization;
using CityOps.Twin.Silo.City;
using CityOps.Twin.Silo.History;

namespace CityOps.Twin.Silo.Drills;

/// <summary>
/// Turns a scenario's <see cref="HistoryReplay"/> into series injects from the live city's recorded readings: one a
/// sensor, starting with the drill, each reading at its recorded offset from the span's start. It only reads the
/// history (one indexed range a sensor, as the device history does), so a drill started from it never writes to the
/// live twin; whatever goes wrong is a <see cref="DrillScenarioException"/> naming the scenario's field.
/// </summary>
public static class DrillHistoryReplay
{
    /// <summary>
    /// The longest span a drill replays: three days, a typhoon's approach, passage and the water going down with the
    /// spring tides around it (In-Fa stood over the delta from 24 to 27 July 2021; the built-in drill plays its worst 24 h).
    /// A drill steps its clock a minute at a time, so three days are 4,320 steps: over seven minutes at the fastest speed.
    /// </summary>
    public static readonly TimeSpan MaxSpan = TimeSpan.FromHours(72);

    /// <summary>
    /// Readings a drill replays at most. A drill holds its series in memory for its whole run (about 50 bytes a reading
    /// with its place in the run's timeline): a million, about 50 MB, is what the built-in typhoon drill would hold for a
    /// city of 7,000 flood sensors, and more would be taken from the live silo's memory. A city whose span has more is
    /// replayed in parts: fewer sensors (sensors) or a shorter span.
    /// </summary>
    public const int MaxReadings = 1_000_000;

    /// <summary>Reads the scenario's recorded span, if it has one, into series injects; the scenario is returned unchanged without one.</summary>
    /// <param name="history">The live city's history; null when it is off.</param>
    /// <param name="whyOff">Why the history is off, for the message when <paramref name="history"/> is null.</param>
    /// <param name="maxReadings">Readings replayed at most (<see cref="MaxReadings"/>; less in tests).</param>
    public static async Task<DrillScenario> ReadAsync(DrillScenario scenario, CityRegistry city, HistoryStore? history, string whyOff,
        CancellationToken cancellationToken = default, int maxReadings = MaxReadings)
    {
        if (scenario.Replay is not { } replay)
        {
            return scenario;
        }
        if (history is null)
        {
            throw new DrillScenarioException($"{replay.Where}: the city's history is off ({whyOff}), so there are no recorded readings to replay.");
        }
        // The scenario's own series drive their sensors for the whole drill: a sensor takes its readings from one series.
        var scripted = scenario.Injects.Where(i => i.Kind == InjectKind.SensorSeries).Select(i => i.Device!).ToHashSet(StringComparer.Ordinal);
        var sensors = replay.Only ?? [.. city.Sensors.Keys.Where(s => !scripted.Contains(s)).Order(StringComparer.Ordinal)];
        var (from, to) = (replay.From.UtcTicks, replay.To.UtcTicks);
        var injects = new List<DrillInject>();
        var total = 0;
        try
        {
            foreach (var sensor in sensors)
            {
                // One more than may still come, to know when the span holds too many.
                var readings = await history.ReadingsAsync(sensor, from, to, maxReadings - total + 1, cancellationToken);
                total += readings.Count;
                if (total > maxReadings)
                {
                    throw new DrillScenarioException(
                        $"{replay.Where}: the span holds more than {maxReadings.ToString("N0", CultureInfo.InvariantCulture)} readings, more than a drill replays; name fewer sensors (sensors) or take a shorter span.");
                }
                if (readings.Count > 0)
                {
                    injects.Add(new DrillInject($"history-{sensor}", TimeSpan.Zero, InjectKind.SensorSeries, sensor,
                        [.. readings.Select(r => (TimeSpan.FromTicks(r.AtTicks - from), r.Value))], null, null, null, null, null, 0));
                }
            }
        }
        catch (DbException exception)
        {
            throw new DrillScenarioException($"{replay.Where}: the history ({history.Describe()}) could not be read: {exception.Message}");
        }
        if (injects.Count == 0)
        {
            var which = replay.Only is null ? "sensor of the city" : $"of the sensors {string.Join(", ", replay.Only)}";
            throw new DrillScenarioException(
                $"{replay.Where}: the history holds no readings of any {which} from {Iso(replay.From)} to {Iso(replay.To)} (or they are past the history's retention, History:ReadingDays).");
        }
        return scenario with
        {
            Injects = [.. scenario.Injects, .. injects],
            Replay = replay with { Sensors = injects.Count, Readings = total },
        };
    }

    private static string Iso(DateTimeOffset at) => at.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
}
