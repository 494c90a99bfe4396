using System.Text.Json;
using CityOps.Twin.Grains;
using CityOps.Twin.Grains.Sensors;

namespace CityOps.Twin.Grains.Tests.Sensors;

public sealed class ReadingRingTests
{
    private static readonly DateTimeOffset Start = new(2026, 7, 21, 8, 0, 0, TimeSpan.FromHours(8));

    [Fact]
    public void Keeps_the_latest_readings_oldest_first_and_drops_the_oldest_when_full()
    {
        var ring = new ReadingRing(capacity: 3);
        for (var i = 0; i < 5; i++)
        {
            ring.Add(Start.AddMinutes(i), i * 1.5);
        }

        Assert.Equal(3, ring.Count);
        Assert.Equal([3.0, 4.5, 6.0], ring.ToReadings("WL-1").Select(r => r.Value));
        Assert.Equal(Start.AddMinutes(2), ring.TimeAt(0));
        Assert.All(ring.ToReadings("WL-1"), r => Assert.Equal("WL-1", r.SensorId));
    }

    [Fact]
    public void Survives_its_saved_form_exactly()
    {
        var state = new SensorRecentState();
        for (var i = 0; i < 130; i++)
        {
            state.Readings.Add(Start.AddSeconds(i * 37), Math.PI * i);
        }

        var json = JsonSerializer.Serialize(state, GrainStateJsonContext.Default.SensorRecentState);
        var back = JsonSerializer.Deserialize(json, GrainStateJsonContext.Default.SensorRecentState)!;

        Assert.Equal(96, back.Readings.Count);
        Assert.Equal(state.Readings.ToReadings("x"), back.Readings.ToReadings("x"));
        Assert.True(json.Length < 96 * 24, $"the saved history is {json.Length} characters");
    }

    [Fact]
    public void Reads_the_list_of_readings_that_states_saved_before_the_ring()
    {
        const string Saved = """{"Value":12.5,"MeasuredAt":"2026-07-21T08:15:00+08:00","Recent":[{"SensorId":"WL-1","MeasuredAt":"2026-07-21T08:00:00+08:00","Value":11},{"SensorId":"WL-1","MeasuredAt":"2026-07-21T08:15:00+08:00","Value":12.5}]}""";

        var live = JsonSerializer.Deserialize(Saved, GrainStateJsonContext.Default.SensorLiveState)!;

        Assert.Equal([11.0, 12.5], live.Recent!.ToReadings("WL-1").Select(r => r.Value));
        Assert.Equal(Start.AddMinutes(15), live.Recent.TimeAt(1));
    }

    [Theory]
    [InlineData("\"AAAA\"", "whole readings")]
    [InlineData("42", "base64 string or an array")]
    [InlineData("[{\"Value\":3}]", "no measuredAt")]
    public void A_damaged_saved_history_is_refused_with_what_is_wrong(string recent, string problem)
    {
        var error = Assert.Throws<JsonException>(() =>
            JsonSerializer.Deserialize($$"""{"Readings":{{recent}}}""", GrainStateJsonContext.Default.SensorRecentState));
        Assert.Contains(problem, error.Message);
    }
}
