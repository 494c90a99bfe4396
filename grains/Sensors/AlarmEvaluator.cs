using CityOps.Twin.Contracts.Sensors;

namespace CityOps.Twin.Grains.Sensors;

/// <summary>
/// The alarm level after a reading. A level is entered as soon as the value reaches its threshold and held
/// until the value falls below the threshold by the hysteresis, so a value hovering at a threshold does not
/// flap between levels and does not start a new episode on every wobble.
/// </summary>
public static class AlarmEvaluator
{
    public static AlarmLevel Next(AlarmLevel current, double value, SensorThresholds thresholds)
    {
        for (var level = AlarmLevel.Red; level > AlarmLevel.None; level--)
        {
            var threshold = thresholds.ThresholdOf(level);
            var holding = level <= current;
            if (value >= threshold || (holding && value >= threshold - thresholds.Hysteresis))
            {
                return level;
            }
        }
        return AlarmLevel.None;
    }
}
