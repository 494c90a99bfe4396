using System.Globalization;
using CityOps.Twin.Contracts.Geo;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Silo.City;

namespace CityOps.Twin.Silo.Drills;

/// <summary>
/// The built-in scenario "typhoon and rainstorm meet a spring tide" (台风暴雨天文大潮三碰头), made from real inputs:
/// Typhoon In-Fa's 2021 track drives the rain over each sensor, and the Wusong tide series, with its highest
/// spring tide moved onto In-Fa's closest approach, drives the tide and the rivers. Every flood sensor of the
/// city gets a reading each <see cref="ReadingInterval"/>. The formulas are deliberately simple and documented
/// here, so a test can work out from the same real series where the alarms must be.
/// </summary>
public static class TyphoonTideScenario
{
    public const string Name = "typhoon-tide";

    /// <summary>From In-Fa's first landfall (Zhoushan) for a day, through its second (Pinghu) and its passage west of the city.</summary>
    public static readonly DateTimeOffset Start = new(2021, 7, 25, 12, 0, 0, TimeSpan.FromHours(8));

    public static readonly TimeSpan Duration = TimeSpan.FromHours(24);

    /// <summary>Flood sensors report every ten minutes, as Shanghai's drainage monitoring does.</summary>
    public static readonly TimeSpan ReadingInterval = TimeSpan.FromMinutes(10);

    /// <summary>The spring tide's peak is placed here: In-Fa's closest approach to the demo city, the night of 25-26 July.</summary>
    public static readonly DateTimeOffset TidePeakAt = new(2021, 7, 26, 2, 0, 0, TimeSpan.FromHours(8));

    /// <summary>Rain under the typhoon: <c>RainPeak · exp(-distance / RainScale)</c> mm/h, distance from the centre in km.</summary>
    public const double RainPeak = 90;

    public const double RainScale = 120;

    /// <summary>Shanghai's drains take 36 mm/h (the one-in-one-year design storm); each mm/h above it stands as 0.8 cm of water.</summary>
    public const double DrainCapacity = 36;

    public const double PondingCmPerMm = 0.8;

    /// <summary>Inland rivers stand this far below the Wusong tide and rise 1 cm for each mm/h of local rain.</summary>
    public const double RiverBelowTide = 1.0;

    public const double RiverRisePerMm = 0.01;

    /// <summary>Where the Wusong series is looked for when no path is given: ../shared/data beside the project, from the project or its folder.</summary>
    public static string DefaultTidePath()
    {
        // The shared data sit beside the project's root: look in a "shared" folder beside the working folder or any
        // folder above it, and above the silo's own (a built silo runs from silo/bin/Release/net10.0).
        var relative = Path.Combine("shared", "data", "wusong-tide", "wusong.txt");
        var found = new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory }
            .SelectMany(Ancestors)
            .Select(folder => Path.Combine(folder, relative))
            .FirstOrDefault(File.Exists);
        return found ?? Path.GetFullPath(Path.Combine("..", relative));

        static IEnumerable<string> Ancestors(string folder)
        {
            for (var at = new DirectoryInfo(folder); at is not null; at = at.Parent)
            {
                yield return at.FullName;
            }
        }
    }

    public static double RainAt(double distanceKm) => RainPeak * Math.Exp(-distanceKm / RainScale);

    public static double PondingAt(double rain) => Math.Max(0, rain - DrainCapacity) * PondingCmPerMm;

    public static double RiverAt(double tide, double rain) => tide - RiverBelowTide + RiverRisePerMm * rain;

    /// <summary>In-Fa's track as (time, centre), from the shipped copy of the real track (landfall marker rows skipped).</summary>
    public static IReadOnlyList<(DateTimeOffset At, GeoPoint Centre)> Track()
    {
        using var stream = typeof(TyphoonTideScenario).Assembly.GetManifestResourceStream("CityOps.Twin.Silo.infa_2106_track.csv")
            ?? throw new InvalidOperationException("The typhoon track is not embedded in the silo.");
        using var reader = new StreamReader(stream);
        reader.ReadLine();
        var track = new List<(DateTimeOffset, GeoPoint)>();
        while (reader.ReadLine() is { } line)
        {
            var fields = line.Split(',');
            if (fields[3] == "DL")
            {
                continue;
            }
            track.Add((DateTimeOffset.Parse(fields[0], CultureInfo.InvariantCulture),
                new GeoPoint(double.Parse(fields[2], CultureInfo.InvariantCulture), double.Parse(fields[1], CultureInfo.InvariantCulture))));
        }
        return track;
    }

    /// <summary>The typhoon's centre at a time, linear between observations.</summary>
    public static GeoPoint CentreAt(IReadOnlyList<(DateTimeOffset At, GeoPoint Centre)> track, DateTimeOffset at)
    {
        var after = track.FirstOrDefault(p => p.At >= at);
        var before = track.LastOrDefault(p => p.At <= at);
        if (after.At == default || before.At == default || after.At == before.At)
        {
            return (after.At == default ? before : after).Centre;
        }
        var f = (at - before.At) / (after.At - before.At);
        return new GeoPoint(before.Centre.Longitude + f * (after.Centre.Longitude - before.Centre.Longitude), before.Centre.Latitude + f * (after.Centre.Latitude - before.Centre.Latitude));
    }

    /// <summary>The Wusong series (local time, metres), as its file holds it.</summary>
    public static IReadOnlyList<(DateTimeOffset At, double Level)> ReadTide(string path)
    {
        if (!File.Exists(path))
        {
            throw new DrillScenarioException($"The {Name} scenario needs the Wusong tide series, which is not shipped (it has no licence): no file at {Path.GetFullPath(path)}; give its path with --tide or Drills:TideSeries.");
        }
        var series = new List<(DateTimeOffset, double)>();
        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            var fields = line.Split('\t');
            if (fields.Length >= 2 && fields[1] is "None" or "null")
            {
                // A missing reading of the gauge: the drill interpolates across the gap.
                continue;
            }
            if (fields.Length < 2 || !DateTime.TryParseExact(fields[0], "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var local)
                || !double.TryParse(fields[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var level))
            {
                throw new DrillScenarioException($"{Path.GetFileName(path)} line {number}: expected 'yyyy-MM-dd HH:mm:ss<TAB>level', got '{line}'.");
            }
            series.Add((new DateTimeOffset(local, TimeSpan.FromHours(8)), level));
        }
        return series;
    }

    /// <summary>The tide during the drill: the series moved so its highest spring tide falls at <see cref="TidePeakAt"/>, linear between readings.</summary>
    public static Func<DateTimeOffset, double> TideDuringDrill(IReadOnlyList<(DateTimeOffset At, double Level)> series)
    {
        var peak = series.MaxBy(p => p.Level).At;
        var shift = TidePeakAt - peak;
        var moved = series.Select(p => (At: p.At + shift, p.Level)).ToList();
        return at =>
        {
            var index = moved.FindIndex(p => p.At >= at);
            if (index <= 0)
            {
                return moved[Math.Max(index, 0)].Level;
            }
            var (a, b) = (moved[index - 1], moved[index]);
            return a.Level + (at - a.At) / (b.At - a.At) * (b.Level - a.Level);
        };
    }

    public static DrillScenario Build(CityRegistry city, string tidePath)
    {
        var track = Track();
        var tide = TideDuringDrill(ReadTide(tidePath));
        var times = Enumerable.Range(0, (int)(Duration / ReadingInterval) + 1).Select(i => i * ReadingInterval).ToList();
        var injects = new List<DrillInject>();
        foreach (var sensor in city.Sensors.Values.Where(s => s.Kind is SensorKind.Rainfall or SensorKind.Waterlogging or SensorKind.RiverLevel or SensorKind.Tide))
        {
            var series = times.Select(offset =>
            {
                var at = Start + offset;
                var rain = RainAt(sensor.Position.DistanceTo(CentreAt(track, at)) / 1000);
                var value = sensor.Kind switch
                {
                    SensorKind.Rainfall => rain,
                    SensorKind.Waterlogging => PondingAt(rain),
                    SensorKind.RiverLevel => RiverAt(tide(at), rain),
                    _ => tide(at),
                };
                return (offset, Math.Round(value, 3));
            }).ToList();
            injects.Add(new DrillInject($"series-{sensor.SensorId}", TimeSpan.Zero, InjectKind.SensorSeries, sensor.SensorId, series, null, null, null, null, null, 0));
        }
        // The commander reviews the twin's proposals every half hour and confirms them; a level III flood response is
        // expected by 02:00 on 26 July, when the spring tide peaks under the typhoon.
        var players = Enumerable.Range(1, (int)(Duration / TimeSpan.FromMinutes(30)))
            .Select(i => new PlayerAction(TimeSpan.FromMinutes(30 * i), DrillActionKind.ConfirmProposal, null, null, null, "指挥长", null, ""))
            .ToList();
        return new DrillScenario("台风暴雨天文大潮三碰头 Typhoon, rainstorm and spring tide (In-Fa 2021)", Start, Duration, injects,
            [new ExpectedAction("flood-response-III", DrillActionKind.SwitchMode, null, TidePeakAt - Start, Contracts.Mode.ResponseLevel.III, null)],
            players);
    }
}
