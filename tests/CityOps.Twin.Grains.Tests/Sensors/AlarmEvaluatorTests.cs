using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Grains.Sensors;

namespace CityOps.Twin.Grains.Tests.Sensors;

public sealed class AlarmEvaluatorTests
{
    private static readonly SensorThresholds Tide = SensorRulebook.Default.For(SensorKind.Tide, OperatingMode.Normal);

    [Fact]
    public void Over_random_walks_the_level_is_never_below_what_the_value_reaches_nor_held_beyond_the_hysteresis()
    {
        var random = new Random(2106);
        foreach (var kind in Enum.GetValues<SensorKind>())
        {
            var rules = SensorRulebook.Default.For(kind, OperatingMode.Normal);
            var span = rules.Red - rules.Blue;
            for (var walk = 0; walk < 200; walk++)
            {
                var level = AlarmLevel.None;
                var value = rules.Blue - span * random.NextDouble();
                for (var step = 0; step < 500; step++)
                {
                    value += (random.NextDouble() - 0.5) * span * 0.2;
                    level = AlarmEvaluator.Next(level, value, rules);

                    var reached = Enum.GetValues<AlarmLevel>().Where(l => l > AlarmLevel.None && value >= rules.ThresholdOf(l)).DefaultIfEmpty(AlarmLevel.None).Max();
                    Assert.True(level >= reached, $"{kind}: {value} reaches {reached} but the level is {level}");
                    Assert.True(level == AlarmLevel.None || value >= rules.ThresholdOf(level) - rules.Hysteresis,
                        $"{kind}: {value} is more than the hysteresis below {level}'s threshold");
                }
            }
        }
    }

    [Fact]
    public void A_value_hovering_at_a_threshold_within_the_hysteresis_keeps_its_level()
    {
        var level = AlarmEvaluator.Next(AlarmLevel.None, Tide.Yellow, Tide);
        var random = new Random(1);

        for (var i = 0; i < 1_000; i++)
        {
            level = AlarmEvaluator.Next(level, Tide.Yellow + (random.NextDouble() - 0.5) * Tide.Hysteresis * 1.9, Tide);
            Assert.Equal(AlarmLevel.Yellow, level);
        }
    }

    [Fact]
    public void A_level_clears_only_below_its_threshold_minus_the_hysteresis_and_can_skip_levels_both_ways()
    {
        Assert.Equal(AlarmLevel.Red, AlarmEvaluator.Next(AlarmLevel.None, Tide.Red + 0.01, Tide));
        Assert.Equal(AlarmLevel.Blue, AlarmEvaluator.Next(AlarmLevel.Blue, Tide.Blue - Tide.Hysteresis * 0.5, Tide));
        Assert.Equal(AlarmLevel.None, AlarmEvaluator.Next(AlarmLevel.Blue, Tide.Blue - Tide.Hysteresis * 1.5, Tide));
        Assert.Equal(AlarmLevel.None, AlarmEvaluator.Next(AlarmLevel.Red, 0.5, Tide));
    }
}
