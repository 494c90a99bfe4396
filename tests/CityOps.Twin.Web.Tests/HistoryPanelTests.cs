using Bunit;
using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Contracts.Signs;
using CityOps.Twin.Web.Components.Shared;
using CityOps.Twin.Web.History;
using CityOps.Twin.Web.Signs;
using CityOps.Twin.Web.Text;
using Microsoft.Extensions.DependencyInjection;

namespace CityOps.Twin.Web.Tests;

/// <summary>The device page's history panel and the wall's trend panel as a reader sees them, over a history that answers what a test says.</summary>
public sealed class HistoryPanelTests : BunitContext
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 15, 27, 0, TimeSpan.FromHours(8));
    private static readonly SensorThresholds Normal = new("m", 2, 4, 6, 8, 0.1, -1, 20);
    private static readonly SensorThresholds Emergency = new("m", 1.5, 3, 5, 7, 0.1, -1, 20);

    /// <summary>A history that answers with what the test set and keeps what it was asked.</summary>
    private sealed class History : ICityHistory
    {
        public List<(string Id, DateTimeOffset From, DateTimeOffset To, int Most)> Asked { get; } = [];
        public Func<DateTimeOffset, DateTimeOffset, SensorHistory>? Readings { get; set; }
        public Func<DateTimeOffset, DateTimeOffset, SignsHistory>? Signs { get; set; }
        public HistoryUnavailableException? Unavailable { get; set; }

        public Task<SensorHistory> ReadingsAsync(string sensorId, DateTimeOffset from, DateTimeOffset to, int maxPoints, CancellationToken cancellationToken)
        {
            Asked.Add((sensorId, from, to, maxPoints));
            return Unavailable is { } unavailable ? Task.FromException<SensorHistory>(unavailable) : Task.FromResult(Readings!(from, to));
        }

        public Task<SignsHistory> SignsAsync(string areaCode, DateTimeOffset from, DateTimeOffset to, int maxPoints, CancellationToken cancellationToken)
        {
            Asked.Add((areaCode, from, to, maxPoints));
            return Unavailable is { } unavailable ? Task.FromException<SignsHistory>(unavailable) : Task.FromResult(Signs!(from, to));
        }
    }

    private readonly History _history = new();

    public HistoryPanelTests() => Services.AddSingleton<ICityHistory>(_history);

    private static ModeSwitchMark ToFlood(DateTimeOffset at) => new(at, OperatingMode.Emergency, EmergencyKind.Flood, ResponseLevel.III, [], "指挥长", "暴雨红色预警");

    /// <summary>Three readings 2 hours ago and a switch to a flood emergency an hour ago, which lowered the thresholds.</summary>
    private static SensorHistory ThreeReadings(DateTimeOffset from, DateTimeOffset to) => new(
        "WL-00412", SensorKind.Waterlogging, "m", from, to, null,
        [.. new[] { 2.0, 6.5, 9.0 }.Select((v, i) => HistoryPoint.Single(Now.AddHours(-2).AddMinutes(i), v))],
        [new ThresholdsInForce(from, OperatingMode.Normal, Normal), new ThresholdsInForce(Now.AddHours(-1), OperatingMode.Emergency, Emergency)],
        [ToFlood(Now.AddHours(-1))]);

    private IRenderedComponent<SensorHistoryPanel> Sensor(UiText? text = null, bool inDrill = false) =>
        Render<SensorHistoryPanel>(p => p.AddCascadingValue(text ?? UiText.Chinese).Add(c => c.SensorId, "WL-00412").Add(c => c.Now, Now).Add(c => c.InDrill, inDrill));

    [Fact]
    public void The_device_panel_plots_the_last_24_hours_with_each_reading_the_thresholds_in_force_and_the_switch()
    {
        _history.Readings = ThreeReadings;
        var panel = Sensor();

        Assert.Equal(("WL-00412", Now.AddHours(-24), Now, SensorHistoryPanel.MostPoints), Assert.Single(_history.Asked));
        var chart = panel.Find("[data-testid=history-chart]");
        Assert.Equal(("3", "raw", "1"), (chart.GetAttribute("data-points"), chart.GetAttribute("data-step"), chart.GetAttribute("data-switches")));
        Assert.Equal(3, panel.FindAll("circle.dot").Count);
        // Four thresholds before the switch and four (lower) after it.
        Assert.Equal(["2", "4", "6", "8", "1.5", "3", "5", "7"], panel.FindAll("[data-testid=chart-level]").Select(l => l.GetAttribute("data-value")));
        var marker = panel.Find("[data-testid=mode-marker]");
        Assert.Equal((Now.AddHours(-1).ToString("O"), "Emergency"), (marker.GetAttribute("data-at"), marker.GetAttribute("data-to")));
        Assert.Equal("应急 防汛 III级", marker.QuerySelector("text")!.TextContent);
        Assert.Contains("暴雨红色预警", marker.QuerySelector("title")!.TextContent);
        Assert.Contains("原始读数", panel.Find("[data-testid=history-caption]").TextContent);
        Assert.Empty(panel.FindAll("[data-testid=history-empty]"));
    }

    [Fact]
    public void Choosing_7_days_reads_the_last_7_days_and_a_long_range_comes_back_as_hourly_bands()
    {
        _history.Readings = (from, to) => to - from > TimeSpan.FromDays(1)
            ? ThreeReadings(from, to) with
            {
                BucketWidth = TimeSpan.FromHours(1),
                Points = [.. Enumerable.Range(0, 48).Select(h => new HistoryPoint(Now.AddHours(-48 + h), 5, 3, 7, 60))],
            }
            : ThreeReadings(from, to);
        var panel = Sensor(UiText.EnglishText);

        panel.Find("[data-testid=range-7d]").Click();

        Assert.Equal((Now.AddDays(-7), Now), (_history.Asked[^1].From, _history.Asked[^1].To));
        var chart = panel.Find("[data-testid=history-chart]");
        Assert.Equal(("48", "1h"), (chart.GetAttribute("data-points"), chart.GetAttribute("data-step")));
        Assert.Single(panel.FindAll("path.band"));
        Assert.Empty(panel.FindAll("circle.dot"));
        Assert.Equal("true", panel.Find("[data-testid=range-7d]").GetAttribute("aria-pressed"));
        Assert.Contains("1-hour buckets min / mean / max", panel.Find("[data-testid=history-caption]").TextContent);
        Assert.Equal("Emergency Flood level III", panel.Find("[data-testid=mode-marker] text").TextContent);
    }

    [Fact]
    public void A_span_with_no_readings_says_so_and_still_shows_the_thresholds()
    {
        _history.Readings = (from, to) => ThreeReadings(from, to) with { Points = [], Switches = [], Thresholds = [new ThresholdsInForce(from, OperatingMode.Normal, Normal)] };
        var panel = Sensor();

        Assert.Equal("此时段内没有读数。", panel.Find("[data-testid=history-empty]").TextContent);
        Assert.Equal("0", panel.Find("[data-testid=history-chart]").GetAttribute("data-points"));
        Assert.Equal(4, panel.FindAll("[data-testid=chart-level]").Count);
    }

    [Fact]
    public void A_chosen_span_is_read_in_city_time_and_a_bad_one_is_refused_with_a_message_and_not_read()
    {
        _history.Readings = ThreeReadings;
        var panel = Sensor();

        panel.Find("[data-testid=range-from]").Change("2026-11-20T08:00");
        panel.Find("[data-testid=range-to]").Change("2026-11-21T08:00");
        panel.Find("[data-testid=range-apply]").Click();
        Assert.Equal((new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 21, 0, 0, 0, TimeSpan.Zero)),
            (_history.Asked[^1].From, _history.Asked[^1].To));
        Assert.Empty(panel.FindAll("[data-testid=range-problem]"));

        var asked = _history.Asked.Count;
        panel.Find("[data-testid=range-from]").Change("2026-11-22T08:00");
        panel.Find("[data-testid=range-apply]").Click();
        Assert.Equal("开始时间须早于结束时间: 开始 2026-11-22 08:00, 结束 2026-11-21 08:00", panel.Find("[data-testid=range-problem]").TextContent);
        Assert.Equal(asked, _history.Asked.Count);
        // The plot shown is still the last good span's.
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero), DateTimeOffset.Parse(panel.Find("[data-testid=history-chart]").GetAttribute("data-from")!));
    }

    [Fact]
    public void In_a_drill_the_device_panel_says_its_city_keeps_no_history_and_reads_none()
    {
        var panel = Sensor(inDrill: true);

        Assert.Equal("演练城市不保存历史，历史曲线只在实况城市显示。", panel.Find("[data-testid=history-drill]").TextContent);
        Assert.Empty(panel.FindAll("[data-testid=history-chart]"));
        Assert.Empty(_history.Asked);
    }

    [Fact]
    public void With_the_history_off_the_panel_says_so()
    {
        _history.Unavailable = new HistoryUnavailableException("The history is off on this twin.", off: true);
        var panel = Sensor(UiText.EnglishText);

        Assert.Equal("This twin keeps no history.", panel.Find("[data-testid=history-unavailable]").TextContent);
        Assert.Empty(panel.FindAll("[data-testid=history-chart]"));
    }

    private static IReadOnlyList<VitalSignsSample> Trend() =>
        [new(Now.AddHours(-11), 100, 100, 100, 100, 100), new(Now.AddHours(-3), 45, 90, 100, 95, 70), new(Now.AddHours(-1), 80, 95, 100, 95, 88)];

    private IRenderedComponent<SignsHistoryPanel> Signs(bool inDrill = false) => Render<SignsHistoryPanel>(p => p
        .AddCascadingValue(UiText.Chinese).Add(c => c.AreaCode, "310115").Add(c => c.Now, Now).Add(c => c.Trend, Trend())
        .Add(c => c.TrendSwitches, [ToFlood(Now.AddHours(-3))]).Add(c => c.InDrill, inDrill));

    [Fact]
    public void The_wall_trend_shows_the_areas_own_12_hours_with_the_bad_line_and_the_switch_without_reading_the_store()
    {
        var panel = Signs();

        var chart = panel.Find("[data-testid=trend-plot]");
        Assert.Equal(("15", "raw", "1"), (chart.GetAttribute("data-points"), chart.GetAttribute("data-step"), chart.GetAttribute("data-switches")));
        Assert.Equal(SignIndexes.All.Select(i => i.ToString().ToLowerInvariant()), panel.FindAll("[data-testid=chart-series]").Select(s => s.GetAttribute("data-series")));
        Assert.Equal("60", panel.Find("[data-testid=chart-level]").GetAttribute("data-value"));
        Assert.Equal(Now.AddHours(-3).ToString("O"), panel.Find("[data-testid=mode-marker]").GetAttribute("data-at"));
        Assert.Empty(_history.Asked);
    }

    [Fact]
    public void Choosing_30_days_reads_the_areas_stored_samples_in_buckets()
    {
        _history.Signs = (from, to) => new SignsHistory("310115", from, to, TimeSpan.FromHours(1),
            SignIndexes.All.ToDictionary(i => i, IReadOnlyList<HistoryPoint> (_) => [.. Enumerable.Range(0, 720).Select(h => new HistoryPoint(from.AddHours(h), 90, 80, 100, 1))]),
            [ToFlood(Now.AddDays(-10)), ToFlood(Now.AddDays(-2)) with { To = OperatingMode.Normal, Kind = null, Level = null }]);
        var panel = Signs();

        panel.Find("[data-testid=range-30d]").Click();

        Assert.Equal(("310115", Now.AddDays(-30), Now), (_history.Asked[^1].Id, _history.Asked[^1].From, _history.Asked[^1].To));
        var chart = panel.Find("[data-testid=trend-plot]");
        Assert.Equal(("3600", "1h", "2"), (chart.GetAttribute("data-points"), chart.GetAttribute("data-step"), chart.GetAttribute("data-switches")));
        Assert.Equal(["应急 防汛 III级", "平时"], panel.FindAll("[data-testid=mode-marker] text").Select(t => t.TextContent));
        Assert.Single(panel.FindAll("path.band"));
        Assert.Equal("30d", panel.Find("[data-testid=signs-history]").GetAttribute("data-range"));
    }

    [Fact]
    public void In_a_drill_the_wall_offers_only_the_drills_own_12_hours()
    {
        var panel = Signs(inDrill: true);

        Assert.True(panel.Find("[data-testid=range-7d]").HasAttribute("disabled"));
        Assert.False(panel.Find("[data-testid=range-12h]").HasAttribute("disabled"));
        Assert.Equal("15", panel.Find("[data-testid=trend-plot]").GetAttribute("data-points"));
        Assert.NotNull(panel.Find("[data-testid=history-drill]"));
        Assert.Empty(_history.Asked);
    }
}
