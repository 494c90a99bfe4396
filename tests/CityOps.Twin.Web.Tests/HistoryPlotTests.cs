using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Web.History;
using CityOps.Twin.Web.Text;

namespace CityOps.Twin.Web.Tests;

/// <summary>The history plots' arithmetic: where times and values go, the ticks of both axes, series paths and markers, and the chosen span.</summary>
public sealed class HistoryPlotTests
{
    private static readonly TimeSpan City = UiText.CityOffset;

    /// <summary>15:27 in the city on 1 December 2026.</summary>
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 15, 27, 0, TimeSpan.FromHours(8));

    private static ModeSwitchMark Switch(DateTimeOffset at, OperatingMode to) =>
        to == OperatingMode.Emergency ? new(at, to, EmergencyKind.Flood, ResponseLevel.III, [], "指挥长", "暴雨") : new(at, to, null, null, [], "指挥长", "解除");

    [Fact]
    public void The_last_24_hours_tick_every_3_hours_on_the_city_clock_and_midnight_reads_as_the_date()
    {
        var ticks = TimeTicks.For(Now.AddHours(-24), Now);

        Assert.Equal(["18:00", "21:00", "12-01", "03:00", "06:00", "09:00", "12:00", "15:00"], ticks.Select(t => t.Label));
        Assert.Equal(new DateTimeOffset(2026, 11, 30, 18, 0, 0, City), ticks[0].At);
        Assert.Equal([false, false, true, false, false, false, false, false], ticks.Select(t => t.DayStart));
    }

    [Fact]
    public void Seven_days_tick_on_each_city_midnight_and_thirty_days_every_five()
    {
        var week = TimeTicks.For(Now.AddDays(-7), Now);
        Assert.Equal(["11-25", "11-26", "11-27", "11-28", "11-29", "11-30", "12-01"], week.Select(t => t.Label));
        Assert.All(week, tick => Assert.Equal(TimeSpan.Zero, tick.At.ToOffset(City).TimeOfDay));

        var month = TimeTicks.For(Now.AddDays(-30), Now);
        Assert.Equal(["11-02", "11-07", "11-12", "11-17", "11-22", "11-27"], month.Select(t => t.Label));
    }

    [Fact]
    public void Any_range_from_a_minute_to_400_days_gets_at_most_8_evenly_spaced_ticks_within_it_on_whole_steps()
    {
        var random = new Random(17);
        for (var i = 0; i < 2_000; i++)
        {
            var span = TimeSpan.FromMinutes(1 + random.NextDouble() * random.NextDouble() * TimeSpan.FromDays(400).TotalMinutes);
            var from = Now.AddMinutes(-random.Next(0, 1_000_000));
            var ticks = TimeTicks.For(from, from + span);
            var step = TimeTicks.StepFor(span, 8);

            Assert.InRange(ticks.Count, span >= 2 * step ? 1 : 0, 8);
            Assert.All(ticks, tick => Assert.True(tick.At > from && tick.At < from + span, $"{tick.At:O} is not inside {from:O} + {span}"));
            Assert.All(ticks.Zip(ticks.Skip(1)), pair => Assert.Equal(step, pair.Second.At - pair.First.At));
            // A step under a day falls on a whole step of the city's day; a day or more on a city midnight.
            Assert.All(ticks, tick => Assert.Equal(0, tick.At.ToOffset(City).TimeOfDay.Ticks % Math.Min(step.Ticks, TimeSpan.TicksPerDay)));
        }
    }

    [Fact]
    public void Value_ticks_are_round_numbers_covering_the_scale()
    {
        var plot = new HistoryPlot(1200, 360, Now.AddHours(-1), Now, 0, 11.3);
        Assert.Equal([0.0, 2.5, 5, 7.5, 10], plot.ValueTicks());

        var signs = new HistoryPlot(1200, 360, Now.AddHours(-1), Now, 0, 100);
        Assert.Equal([0.0, 20, 40, 60, 80, 100], signs.ValueTicks());
    }

    [Fact]
    public void The_scale_shows_every_value_and_level_from_zero_with_room_above()
    {
        var (low, high) = HistoryPlot.ScaleFor([1.5, 4, 9.2, 6]);
        Assert.Equal(0, low);
        Assert.True(high > 9.2 && high < 10.5, $"high {high}");

        var (negativeLow, _) = HistoryPlot.ScaleFor([-3, 2]);
        Assert.Equal(-3, negativeLow);
        Assert.Equal((0.0, 1.0), HistoryPlot.ScaleFor([]));
    }

    [Fact]
    public void Times_and_values_map_into_the_plot_area_and_outside_ones_stay_on_its_edge()
    {
        var plot = new HistoryPlot(1200, 360, Now.AddHours(-24), Now, 0, 100);

        Assert.Equal(HistoryPlot.Left, plot.X(Now.AddHours(-24)));
        Assert.Equal(1200 - HistoryPlot.Right, plot.X(Now));
        Assert.Equal((HistoryPlot.Left + 1200 - HistoryPlot.Right) / 2, plot.X(Now.AddHours(-12)), 6);
        Assert.Equal(HistoryPlot.Left, plot.X(Now.AddDays(-5)));
        Assert.Equal(HistoryPlot.Top, plot.Y(100));
        Assert.Equal(360 - HistoryPlot.Bottom, plot.Y(0));
        Assert.Equal(360 - HistoryPlot.Bottom, plot.Y(-20));
    }

    [Fact]
    public void Raw_readings_that_stop_for_a_while_are_drawn_as_separate_runs()
    {
        var plot = new HistoryPlot(1200, 360, Now.AddHours(-24), Now, 0, 10);
        var points = new[] { 0, 1, 2, 600, 601 }.Select(m => HistoryPoint.Single(Now.AddHours(-23).AddMinutes(m), 5)).ToList();
        var series = new PlotSeries("readings", "读数", points, null, Steps: false, Band: true);

        Assert.Equal([3, 2], plot.Runs(series).Select(r => r.Count));
        Assert.Equal(2, plot.LinePath(series).Count(c => c == 'M'));
        Assert.Equal("", plot.BandPath(series));
    }

    [Fact]
    public void Buckets_are_a_band_from_min_to_max_around_the_mean_at_each_bucket_middle_broken_where_an_hour_is_missing()
    {
        var from = new DateTimeOffset(2026, 11, 24, 0, 0, 0, City);
        var plot = new HistoryPlot(1200, 360, from, from.AddDays(7), 0, 10);
        var hours = new[] { 0, 1, 2, 5 }.Select(h => new HistoryPoint(from.AddHours(h), 5, 2, 8, 60)).ToList();
        var series = new PlotSeries("readings", "读数", hours, TimeSpan.FromHours(1), Steps: false, Band: true);

        var line = plot.LinePath(series);
        Assert.StartsWith($"M{HistoryPlot.F(plot.X(from.AddMinutes(30)))},{HistoryPlot.F(plot.Y(5))} ", line + " ");
        Assert.Equal(2, line.Count(c => c == 'M'));
        var band = plot.BandPath(series);
        Assert.Equal(2, band.Count(c => c == 'Z'));
        Assert.Contains($"{HistoryPlot.F(plot.Y(8))}", band);
        Assert.Contains($"{HistoryPlot.F(plot.Y(2))}", band);
    }

    [Fact]
    public void A_stepped_series_holds_each_value_until_the_next_and_the_last_until_now()
    {
        var plot = new HistoryPlot(1200, 360, Now.AddHours(-12), Now, 0, 100);
        // The first sample is from before the range: the value in force at its start.
        var samples = new[] { HistoryPoint.Single(Now.AddHours(-20), 100), HistoryPoint.Single(Now.AddHours(-6), 40) };
        var series = new PlotSeries("flood", "防汛", samples, null, Steps: true, Band: false);

        var x = (DateTimeOffset at) => HistoryPlot.F(plot.X(at));
        var y = (double v) => HistoryPlot.F(plot.Y(v));
        Assert.Equal($"M{x(Now.AddHours(-12))},{y(100)} L{x(Now.AddHours(-6))},{y(100)} L{x(Now.AddHours(-6))},{y(40)} L{x(Now)},{y(40)}",
            plot.LinePath(series, Now));
    }

    [Fact]
    public void Switches_close_together_take_rows_and_switches_outside_the_range_are_left_out()
    {
        var plot = new HistoryPlot(1200, 360, Now.AddDays(-7), Now, 0, 10);
        var markers = plot.Markers([
            Switch(Now.AddDays(-8), OperatingMode.Emergency),
            Switch(Now.AddDays(-3), OperatingMode.Emergency),
            Switch(Now.AddDays(-3).AddHours(2), OperatingMode.Normal),
            Switch(Now.AddDays(-1), OperatingMode.Emergency),
            Switch(Now.AddHours(1), OperatingMode.Normal),
        ]);

        Assert.Equal([Now.AddDays(-3), Now.AddDays(-3).AddHours(2), Now.AddDays(-1)], markers.Select(m => m.Switch.At));
        // The latest label on top; the earlier switch two hours before the next goes a row lower.
        Assert.Equal([1, 0, 0], markers.Select(m => m.Row));
        Assert.Equal(plot.X(Now.AddDays(-1)), markers[2].X);
    }

    [Fact]
    public void More_switches_within_a_labels_width_than_there_are_rows_leave_the_earliest_without_a_label()
    {
        var plot = new HistoryPlot(1200, 360, Now.AddDays(-7), Now, 0, 10);
        var markers = plot.Markers([.. Enumerable.Range(0, HistoryPlot.MarkerRows + 2).Select(i => Switch(Now.AddMinutes(-10 * i), OperatingMode.Emergency))]);

        Assert.Equal([-1, -1, 3, 2, 1, 0], markers.Select(m => m.Row));
    }

    [Fact]
    public void A_sensor_that_reports_every_few_hours_stays_one_line_and_one_that_goes_silent_for_days_breaks()
    {
        var plot = new HistoryPlot(1200, 360, Now.AddDays(-7), Now, 0, 10);
        var everyFourHours = new PlotSeries("readings", "读数", [.. Enumerable.Range(0, 5).Select(i => HistoryPoint.Single(Now.AddHours(-20 + 4 * i), i))], null, false, true);
        Assert.Single(plot.Runs(everyFourHours));

        var silent = everyFourHours with { Points = [.. everyFourHours.Points.Select((p, i) => i < 2 ? p with { At = p.At.AddDays(-4) } : p)] };
        Assert.Equal([2, 3], plot.Runs(silent).Select(r => r.Count));
    }

    [Fact]
    public void A_chosen_span_is_read_in_city_time()
    {
        var span = HistoryRange.Span("2026-11-20T08:00", "2026-11-27T20:30", UiText.Chinese, out var problem);

        Assert.Null(problem);
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero), span!.From);
        Assert.Equal(new DateTimeOffset(2026, 11, 27, 12, 30, 0, TimeSpan.Zero), span.To);
        Assert.False(span.Moving);
        Assert.Equal("2026-11-20T08:00", HistoryRange.InputText(span.From));
    }

    [Theory]
    [InlineData("2026-12-01T10:00", "2026-12-01T09:00", "开始时间须早于结束时间: 开始 2026-12-01 10:00, 结束 2026-12-01 09:00",
        "The start must be before the end: Start 2026-12-01 10:00, end 2026-12-01 09:00")]
    [InlineData("2026-12-01T10:00", "2026-12-01T10:00", "开始时间须早于结束时间: 开始 2026-12-01 10:00, 结束 2026-12-01 10:00",
        "The start must be before the end: Start 2026-12-01 10:00, end 2026-12-01 10:00")]
    [InlineData("", "2026-12-01T10:00", "请填写开始时间", "Fill in the start")]
    [InlineData("2026-12-01T10:00", "next week", "结束时间 'next week' 不是日期时间 (2026-12-01T08:00)", "the end 'next week' is not a date and time (2026-12-01T08:00)")]
    [InlineData("2025-01-01T00:00", "2026-12-01T00:00", "所选时段过长: 699 天; 最长 400 天", "The span is too long: 699 days; at most 400 days")]
    public void A_bad_span_is_refused_saying_what_is_wrong_in_the_view_language(string from, string to, string chinese, string english)
    {
        Assert.Null(HistoryRange.Span(from, to, UiText.Chinese, out var problem));
        Assert.Equal(chinese, problem);
        Assert.Null(HistoryRange.Span(from, to, UiText.EnglishText, out var englishProblem));
        Assert.Equal(english, englishProblem);
    }

    [Fact]
    public void A_moving_range_follows_the_clock_and_a_chosen_span_stays()
    {
        var week = HistoryRange.Last(RangeChoice.Days7, Now);
        Assert.Equal((Now.AddDays(-7), Now), (week.From, week.To));
        Assert.Equal(Now.AddMinutes(1), week.At(Now.AddMinutes(1)).To);

        var span = HistoryRange.Span("2026-11-20T08:00", "2026-11-21T08:00", UiText.Chinese, out _)!;
        Assert.Same(span, span.At(Now));
    }
}
