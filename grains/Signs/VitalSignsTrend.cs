using CityOps.Twin.Contracts.Signs;

namespace CityOps.Twin.Grains.Signs;

/// <summary>
/// An area's trend as its grain keeps it: at most one sample per trend interval (a later publish in the same
/// interval replaces the sample), nothing older than the retention.
/// </summary>
public sealed class VitalSignsTrend
{
    public List<VitalSignsSample> Samples { get; set; } = [];

    /// <summary>Adds the signs; true when a new interval began, so the trend is worth writing.</summary>
    public bool Record(VitalSigns signs, VitalSignsOptions options)
    {
        var sample = VitalSignsSample.Of(signs);
        var interval = options.TrendInterval.Ticks;
        if (Samples.Count > 0 && Samples[^1].At.UtcTicks / interval == sample.At.UtcTicks / interval)
        {
            Samples[^1] = sample;
            return false;
        }
        Samples.Add(sample);
        var oldest = sample.At - options.TrendRetention;
        Samples.RemoveAll(s => s.At < oldest);
        return true;
    }
}
