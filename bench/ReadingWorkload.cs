using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Grains.Sensors;

namespace CityOps.Twin.Bench;

/// <summary>
/// The readings every ingest benchmark sends, the same for the grains and for each baseline: pass p gives each
/// sensor one reading stamped p seconds after the epoch. Values sit in the normal band, except that about one
/// reading in <see cref="AlarmEvery"/> is over the red threshold (the next one of that sensor is normal again),
/// so alarms start and end and cases open while the load runs, as on a stormy day.
/// </summary>
internal sealed class ReadingWorkload
{
    public static readonly DateTimeOffset Epoch = new(2026, 7, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly SensorThresholds[] _thresholds;

    private readonly Func<int, bool>? _neverAlarms;

    /// <param name="neverAlarms">Sensors whose readings all stay normal (a benchmark's probes watch their district).</param>
    public ReadingWorkload(BenchCity city, SensorRulebook rules, int alarmEvery = 20_000, Func<int, bool>? neverAlarms = null)
    {
        City = city;
        AlarmEvery = alarmEvery;
        _neverAlarms = neverAlarms;
        _thresholds = [.. city.SensorFiles.Select(s => rules.For(s.Kind, OperatingMode.Normal))];
    }

    public BenchCity City { get; }

    public int AlarmEvery { get; }

    public int Sensors => _thresholds.Length;

    public SensorThresholds ThresholdsOf(int sensor) => _thresholds[sensor];

    public double NormalValue(int sensor) => _thresholds[sensor].Blue * 0.5;

    public double RedValue(int sensor) => _thresholds[sensor].Red + (_thresholds[sensor].PhysicalMaximum - _thresholds[sensor].Red) * 0.1;

    public static DateTimeOffset TimeOf(long pass) => Epoch.AddTicks(pass * TimeSpan.TicksPerSecond);

    public double ValueOf(int sensor, long pass)
    {
        var hash = Mix((ulong)sensor * 0x9E3779B97F4A7C15UL ^ (ulong)pass * 0xC2B2AE3D27D4EB4FUL);
        var thresholds = _thresholds[sensor];
        return hash % (ulong)AlarmEvery == 0 && _neverAlarms?.Invoke(sensor) != true
            ? thresholds.Red + (thresholds.PhysicalMaximum - thresholds.Red) * 0.1
            : thresholds.Blue * (0.2 + 0.5 * (hash >> 20 & 1023) / 1024.0);
    }

    private static ulong Mix(ulong x)
    {
        x ^= x >> 33;
        x *= 0xFF51AFD7ED558CCDUL;
        x ^= x >> 33;
        return x;
    }
}
