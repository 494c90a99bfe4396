using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Contracts.Signs;
using CityOps.Twin.Grains.History;
using CityOps.Twin.Grains.Sensors;
using CityOps.Twin.Silo.City;
using CityOps.Twin.Web.History;
using CityOps.Twin.Web.Signs;

namespace CityOps.Twin.Silo.History;

/// <summary>
/// The twin view's reading of the live city's history, over the history store: a sensor's readings (raw, or the same
/// 1-minute and hourly buckets the history API falls back to, merged into wider buckets when even the hours are too many
/// for a plot), an area's five indices, and the mode switches in the range with the thresholds each put in force at the
/// sensor (an emergency covering its district, or the whole city, gives it the emergency thresholds).
/// </summary>
public sealed class CityHistory(
    IServiceProvider services, HistoryOptions options, CityRegistry city, SensorRulebook rules, IGrainFactory grains, TimeProvider time)
    : ICityHistory
{
    /// <summary>Bucket widths wider than an hour, narrowest first, for ranges whose hours are more than a plot takes.</summary>
    private static readonly TimeSpan[] WideBuckets =
        [.. new[] { 1, 2, 3, 6, 12, 24, 48, 168 }.Select(hours => TimeSpan.FromHours(hours))];

    /// <summary>How long a reading waits for a store still installing its tables before it says so.</summary>
    private static readonly TimeSpan ReadyWait = TimeSpan.FromSeconds(5);

    public async Task<SensorHistory> ReadingsAsync(string sensorId, DateTimeOffset from, DateTimeOffset to, int maxPoints, CancellationToken cancellationToken)
    {
        if (!city.Sensors.TryGetValue(sensorId, out var sensor))
        {
            throw new ArgumentException($"'{sensorId}' is not a sensor of the city", nameof(sensorId));
        }
        CheckRange(from, to, maxPoints);
        var store = await StoreAsync(cancellationToken);
        var (fromTicks, toTicks, max) = (from.UtcTicks, to.UtcTicks, Math.Min(maxPoints, options.MaxRows));

        IReadOnlyList<HistoryPoint> points;
        TimeSpan? width = null;
        var raw = await store.ReadingsAsync(sensorId, fromTicks, toTicks, max + 1, cancellationToken);
        if (raw.Count <= max)
        {
            points = [.. raw.Select(r => HistoryPoint.Single(At(r.AtTicks), r.Value))];
        }
        else if (Buckets(from, to, TimeSpan.FromMinutes(1)) <= max)
        {
            width = TimeSpan.FromMinutes(1);
            points = [.. (await store.MinutesAsync(sensorId, fromTicks, toTicks, max + 1, cancellationToken)).Select(Point)];
        }
        else
        {
            width = WideBuckets.FirstOrDefault(w => Buckets(from, to, w) <= max, WideBuckets[^1]);
            points = Merge(await HoursAsync(store, sensorId, fromTicks, toTicks, cancellationToken), width.Value);
        }

        var (modeAtFrom, switches) = await SwitchesAsync(store, from, to, cancellationToken);
        var district = DistrictOf(sensor.GridCode);
        var modeOf = (ModeSwitchMark mark) => mark.To == OperatingMode.Emergency && (mark.Districts.Count == 0 || district is not null && mark.Districts.Contains(district))
            ? OperatingMode.Emergency : OperatingMode.Normal;
        var first = modeOf(modeAtFrom);
        var thresholds = new List<ThresholdsInForce> { new(from, first, rules.For(sensor.Kind, first)) };
        foreach (var mark in switches)
        {
            var mode = modeOf(mark);
            if (mode != thresholds[^1].Mode)
            {
                thresholds.Add(new ThresholdsInForce(mark.At, mode, rules.For(sensor.Kind, mode)));
            }
        }
        return new SensorHistory(sensorId, sensor.Kind, rules.For(sensor.Kind, OperatingMode.Normal).Unit, from, to, width, points, thresholds, switches);
    }

    public async Task<SignsHistory> SignsAsync(string areaCode, DateTimeOffset from, DateTimeOffset to, int maxPoints, CancellationToken cancellationToken)
    {
        if (!city.Areas.ContainsKey(areaCode))
        {
            throw new ArgumentException($"'{areaCode}' is not an area of the city", nameof(areaCode));
        }
        CheckRange(from, to, maxPoints);
        var store = await StoreAsync(cancellationToken);
        var (fromTicks, toTicks, max) = (from.UtcTicks, to.UtcTicks, Math.Min(maxPoints, options.MaxRows));

        // Every sample holds all five indices, so the composite's count decides for all of them.
        var series = new Dictionary<SignIndex, IReadOnlyList<HistoryPoint>>();
        var composite = await store.SamplesAsync(areaCode, SignsIndex.Composite, fromTicks, toTicks, max + 1, cancellationToken);
        TimeSpan? width = null;
        if (composite.Count(s => s.AtTicks >= fromTicks) <= max)
        {
            foreach (var index in SignIndexes.All)
            {
                var samples = index == SignIndex.Composite ? composite : await store.SamplesAsync(areaCode, Stored(index), fromTicks, toTicks, max + 1, cancellationToken);
                series[index] = [.. samples.Select(s => HistoryPoint.Single(At(s.AtTicks), s.Value))];
            }
        }
        else
        {
            width = WideBuckets.FirstOrDefault(w => Buckets(from, to, w) <= max, WideBuckets[^1]);
            foreach (var index in SignIndexes.All)
            {
                var buckets = await store.SampleBucketsAsync(areaCode, Stored(index), fromTicks, toTicks, width.Value.Ticks, max + 1, cancellationToken);
                series[index] = [.. buckets.Select(b => new HistoryPoint(At(b.AtTicks), b.Value, b.Min, b.Max, 1))];
            }
        }
        var (_, switches) = await SwitchesAsync(store, from, to, cancellationToken);
        return new SignsHistory(areaCode, from, to, width, series, switches);
    }

    private static void CheckRange(DateTimeOffset from, DateTimeOffset to, int maxPoints)
    {
        if (from >= to)
        {
            throw new ArgumentException($"from {from:O} is not before to {to:O}", nameof(from));
        }
        if (maxPoints < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxPoints), maxPoints, "a plot needs at least one point");
        }
    }

    /// <summary>The store once ready; says why not when the history is off or still installing its tables.</summary>
    private async Task<HistoryStore> StoreAsync(CancellationToken cancellationToken)
    {
        if (services.GetService<HistoryWriter>() is not { } writer)
        {
            throw new HistoryUnavailableException("The history is off on this twin (History:Enabled false, or --storage memory, which keeps nothing).", off: true);
        }
        try
        {
            await writer.Ready.WaitAsync(ReadyWait, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new HistoryUnavailableException($"The history in {writer.Store.Describe()} is not ready yet ({writer.Failing ?? "installing its tables"}).", off: false);
        }
        return writer.Store;
    }

    /// <summary>
    /// The switches from from to to, and the mode in force at from: the first later switch's "from" (the history keeps
    /// both sides of every switch), or the city's mode now when none came since.
    /// </summary>
    private async Task<(ModeSwitchMark AtFrom, IReadOnlyList<ModeSwitchMark> Switches)> SwitchesAsync(
        HistoryStore store, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var events = await store.EventsAsync(new EventFilter(from.UtcTicks, Math.Max(to.UtcTicks, now.UtcTicks), [HistoryEventKind.Mode], null, null),
            options.MaxRows, cancellationToken);
        ModeSwitchMark atFrom;
        if (events.Count > 0)
        {
            atFrom = Parse(from, events[0].From, null, null);
        }
        else
        {
            var mode = await grains.GetGrain<ICityModeGrain>(ICityModeGrain.CityKey).GetMode();
            atFrom = new ModeSwitchMark(mode.Since, mode.Operating, mode.Kind, mode.Level, mode.Districts, mode.ChangedBy, null);
        }
        return (atFrom, [.. events.Where(e => e.AtTicks <= to.UtcTicks).Select(e => Parse(At(e.AtTicks), e.To, e.Actor, e.Note))]);
    }

    /// <summary>A mode as the mode grain's events name it: "Normal", or "Emergency Flood III [310115 310104]" (districts only when not city-wide).</summary>
    internal static ModeSwitchMark Parse(DateTimeOffset at, string? described, string? by, string? reason)
    {
        var text = described ?? "Normal";
        var bracket = text.IndexOf('[', StringComparison.Ordinal);
        IReadOnlyList<string> districts = bracket < 0 ? [] : text[(bracket + 1)..].TrimEnd(']').Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var words = (bracket < 0 ? text : text[..bracket]).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0 || !Enum.TryParse<OperatingMode>(words[0], out var operating) || operating != OperatingMode.Emergency)
        {
            return new ModeSwitchMark(at, OperatingMode.Normal, null, null, [], by, reason);
        }
        EmergencyKind? kind = words.Length > 1 && Enum.TryParse<EmergencyKind>(words[1], out var k) ? k : null;
        ResponseLevel? level = words.Length > 2 && Enum.TryParse<ResponseLevel>(words[2], out var l) ? l : null;
        return new ModeSwitchMark(at, OperatingMode.Emergency, kind, level, districts, by, reason);
    }

    private string? DistrictOf(string gridCode)
    {
        for (var at = gridCode; at is not null && city.Areas.TryGetValue(at, out var area); at = area.ParentCode)
        {
            if (area.Level == AreaLevel.District)
            {
                return area.Code;
            }
        }
        return null;
    }

    /// <summary>Every hourly aggregate from from to to, read in answers of History:MaxRows.</summary>
    private async Task<List<ReadingBucket>> HoursAsync(HistoryStore store, string sensorId, long fromTicks, long toTicks, CancellationToken cancellationToken)
    {
        var hours = new List<ReadingBucket>();
        for (var start = fromTicks; ;)
        {
            var page = await store.HoursAsync(sensorId, start, toTicks, options.MaxRows, cancellationToken);
            hours.AddRange(page);
            if (page.Count < options.MaxRows)
            {
                return hours;
            }
            start = page[^1].StartTicks + TimeSpan.TicksPerHour;
        }
    }

    /// <summary>Hours merged into buckets of the width, each starting on a whole width of the city's clock (midnight for a day).</summary>
    internal static IReadOnlyList<HistoryPoint> Merge(IEnumerable<ReadingBucket> hours, TimeSpan width)
    {
        var offset = Web.Text.UiText.CityOffset.Ticks;
        return [.. hours
            .GroupBy(h => h.StartTicks + offset - ((h.StartTicks + offset) % width.Ticks) - offset)
            .Select(g => new HistoryPoint(At(g.Key), g.Sum(h => h.Sum) / g.Sum(h => h.Count), g.Min(h => h.Min), g.Max(h => h.Max), g.Sum(h => h.Count)))];
    }

    private static HistoryPoint Point(ReadingBucket bucket) => new(At(bucket.StartTicks), bucket.Mean, bucket.Min, bucket.Max, bucket.Count);

    private static long Buckets(DateTimeOffset from, DateTimeOffset to, TimeSpan width) => (to.UtcTicks / width.Ticks) - (from.UtcTicks / width.Ticks) + 1;

    private static DateTimeOffset At(long utcTicks) => new(utcTicks, TimeSpan.Zero);

    private static SignsIndex Stored(SignIndex index) => index switch
    {
        SignIndex.Flood => SignsIndex.Flood,
        SignIndex.Safety => SignsIndex.Safety,
        SignIndex.Infrastructure => SignsIndex.Infrastructure,
        SignIndex.CaseHandling => SignsIndex.CaseHandling,
        _ => SignsIndex.Composite,
    };
}
