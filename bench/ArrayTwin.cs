using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Grains.Sensors;
using CityOps.Twin.Grains.Signs;

namespace CityOps.Twin.Bench;

/// <summary>
/// Baseline A, the ceiling: what the grains keep, kept by one thread in flat arrays. Each reading is checked
/// newer than the sensor's latest, stored with the sensor's recent readings (a ring of the same length as the
/// grain's), judged by the same <see cref="AlarmEvaluator"/>, and a change of level moves its grid's severity
/// sums and, when an alarm starts, its open-case count. No persistence, no messages, no concurrency.
/// </summary>
internal sealed class ArrayTwin
{
    private const int Recent = 96;

    private readonly ReadingWorkload _workload;
    private readonly VitalSignsWeights _weights;
    private readonly long[] _measuredAt;
    private readonly double[] _value;
    private readonly double[] _ringValue;
    private readonly long[] _ringAt;
    private readonly int[] _ringNext;
    private readonly AlarmLevel[] _level;
    private readonly int[] _grid;
    private readonly byte[] _index; // 1 flood, 2 safety
    private readonly SensorThresholds[] _thresholds;
    private readonly double[] _floodSeverity;
    private readonly double[] _safetySeverity;
    private readonly int[] _casesOpened;

    public ArrayTwin(ReadingWorkload workload, VitalSignsWeights weights)
    {
        _workload = workload;
        _weights = weights;
        var sensors = workload.Sensors;
        var grids = workload.City.Grids.Count;
        _measuredAt = new long[sensors];
        Array.Fill(_measuredAt, long.MinValue);
        _value = new double[sensors];
        _ringValue = new double[sensors * Recent];
        _ringAt = new long[sensors * Recent];
        _ringNext = new int[sensors];
        _level = new AlarmLevel[sensors];
        _grid = [.. Enumerable.Range(0, sensors).Select(workload.City.GridOf)];
        _index = [.. workload.City.SensorFiles.Select(s => (byte)(VitalSignsCalculator.IsFloodKind(s.Kind) ? 1 : VitalSignsCalculator.IsSafetyKind(s.Kind) ? 2 : 0))];
        _thresholds = [.. Enumerable.Range(0, sensors).Select(workload.ThresholdsOf)];
        _floodSeverity = new double[grids];
        _safetySeverity = new double[grids];
        _casesOpened = new int[grids];
    }

    /// <summary>Applies passes [first, first + passes) of the workload; returns the readings applied.</summary>
    public long Apply(long first, int passes)
    {
        long applied = 0;
        for (var pass = first; pass < first + passes; pass++)
        {
            var at = ReadingWorkload.TimeOf(pass).UtcTicks;
            for (var sensor = 0; sensor < _value.Length; sensor++)
            {
                applied += Apply(sensor, at, _workload.ValueOf(sensor, pass)) ? 1 : 0;
            }
        }
        return applied;
    }

    /// <summary>Applies readings [first, first + count) in the workload's order (reading n: sensor n mod sensors, pass n / sensors + 1).</summary>
    public long ApplyReadings(long first, long count)
    {
        long applied = 0;
        for (var n = first; n < first + count; n++)
        {
            var (sensor, pass) = ((int)(n % _value.Length), n / _value.Length + 1);
            applied += Apply(sensor, ReadingWorkload.TimeOf(pass).UtcTicks, _workload.ValueOf(sensor, pass)) ? 1 : 0;
        }
        return applied;
    }

    private bool Apply(int sensor, long at, double value)
    {
        if (at <= _measuredAt[sensor])
        {
            return false;
        }
        _measuredAt[sensor] = at;
        _value[sensor] = value;
        var slot = sensor * Recent + _ringNext[sensor];
        _ringValue[slot] = value;
        _ringAt[slot] = at;
        _ringNext[sensor] = (_ringNext[sensor] + 1) % Recent;

        var from = _level[sensor];
        var to = AlarmEvaluator.Next(from, value, _thresholds[sensor]);
        if (to != from)
        {
            _level[sensor] = to;
            var grid = _grid[sensor];
            var change = _weights.Severity(to) - _weights.Severity(from);
            if (_index[sensor] == 1)
            {
                _floodSeverity[grid] += change;
            }
            else if (_index[sensor] == 2)
            {
                _safetySeverity[grid] += change;
            }
            if (from == AlarmLevel.None)
            {
                _casesOpened[grid]++;
            }
        }
        return true;
    }

    /// <summary>The district's sums, as its vital signs' counters hold them.</summary>
    public (double FloodSeverity, double SafetySeverity, int CasesOpen) District(int district)
    {
        double flood = 0, safety = 0;
        var cases = 0;
        for (var grid = 0; grid < _floodSeverity.Length; grid++)
        {
            if (_workload.City.DistrictOfGrid[grid] == district)
            {
                flood += _floodSeverity[grid];
                safety += _safetySeverity[grid];
                cases += _casesOpened[grid];
            }
        }
        return (flood, safety, cases);
    }

    public double LatestValue(int sensor) => _value[sensor];
}
