using System.Globalization;
using System.Net.Http.Json;
using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Contracts.Signs;
using CityOps.Twin.Grains.Sensors;
using CityOps.Twin.Silo.City;
using CityOps.Twin.Silo.History;
using CityOps.Twin.Silo.Storage;
using CityOps.Twin.Silo.Tests.Storage;
using CityOps.Twin.Web.History;
using CityOps.Twin.Web.Signs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace CityOps.Twin.Silo.Tests.History;

/// <summary>
/// What the view's plots read (<see cref="ICityHistory"/>, as the silo registers it) over a real store: readings raw or
/// in buckets, the switches in the range with the thresholds each put in force at the sensor, and an area's samples.
/// </summary>
public sealed class CityHistoryTests
{
    private const string Sensor = "WL-00412";

    /// <summary>Midnight UTC, 08:00 in the city.</summary>
    private static readonly DateTimeOffset Start = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);

    private static SiloFactory Silo(StorageKind kind, string? connection, FakeTimeProvider clock, params (string, string)[] more) => kind == StorageKind.Sqlite
        ? new SiloFactory([("data", SiloFactory.NewDataFolder()), .. more]) { Clock = clock }
        : new SiloFactory([("data", SiloFactory.NewDataFolder()), ("storage", "postgres"), ("connection", connection!), .. more]) { Clock = clock };

    private static async Task IngestAsync(HttpClient http, IEnumerable<(DateTimeOffset At, double Value)> readings) =>
        (await http.PostAsJsonAsync("/api/ingest/readings", new
        {
            readings = readings.Select(r => new { sensorId = Sensor, measuredAt = r.At.ToString("O", CultureInfo.InvariantCulture), value = r.Value }),
        })).EnsureSuccessStatusCode();

    private static async Task SwitchAsync(HttpClient http, string to, params string[] districts) =>
        (await http.PostAsJsonAsync("/api/mode/switch", to == "Emergency"
            ? new { to, kind = "Flood", level = "III", districts, reason = "plot test" }
            : (object)new { to, districts, reason = "plot test over" })).EnsureSuccessStatusCode();

    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.PostgreSql)]
    public async Task A_sensors_readings_come_raw_or_in_buckets_with_the_switches_and_the_thresholds_each_put_in_force_there(StorageKind kind)
    {
        await using var database = await StorageTestDatabase.CreateAsync(kind);
        var clock = new FakeTimeProvider(Start);
        await using var silo = Silo(kind, database.ConnectionString, clock);
        var http = await silo.CreateTwinClientAsync();
        var commander = await silo.SignedInAsAsync("指挥长", Contracts.Security.TwinRole.Commander);
        await silo.WhenCityFiledAsync();
        var city = silo.Services.GetRequiredService<CityRegistry>();
        var district = city.Sensors[Sensor].GridCode.Split('-')[0];
        var otherDistrict = city.Areas.Values.First(a => a.Level == AreaLevel.District && a.Code != district).Code;

        // A reading every 10 minutes for three hours; the city switches to a flood emergency at 01:30 and back at 02:30,
        // then to one of another district only at 02:50.
        var readings = Enumerable.Range(0, 18).Select(i => (At: Start.AddMinutes(10 * i), Value: 1.0 + i % 6)).ToList();
        clock.SetUtcNow(Start.AddMinutes(85));
        await IngestAsync(http, readings.Where(r => r.At <= clock.GetUtcNow()));
        clock.SetUtcNow(Start.AddMinutes(90));
        await SwitchAsync(commander, "Emergency");
        clock.SetUtcNow(Start.AddMinutes(150));
        await SwitchAsync(commander, "Normal");
        clock.SetUtcNow(Start.AddMinutes(170));
        await SwitchAsync(commander, "Emergency", otherDistrict);
        clock.SetUtcNow(Start.AddMinutes(175));
        await IngestAsync(http, readings.Where(r => r.At > Start.AddMinutes(85)));
        Assert.True(await silo.Services.GetRequiredService<HistoryWriter>().WhenWrittenAsync(TimeSpan.FromSeconds(60)), "the history writer caught up");

        var history = silo.Services.GetRequiredService<ICityHistory>();
        var raw = await history.ReadingsAsync(Sensor, Start, Start.AddHours(3), 2_000, CancellationToken.None);
        Assert.Null(raw.BucketWidth);
        Assert.Equal(readings.Select(r => (r.At, r.Value)), raw.Points.Select(p => (p.At, p.Value)));
        Assert.Equal([Start.AddMinutes(90), Start.AddMinutes(150), Start.AddMinutes(170)], raw.Switches.Select(s => s.At));
        Assert.Equal((OperatingMode.Emergency, EmergencyKind.Flood, ResponseLevel.III, "指挥长", "plot test"),
            (raw.Switches[0].To, raw.Switches[0].Kind!.Value, raw.Switches[0].Level!.Value, raw.Switches[0].By, raw.Switches[0].Reason));
        Assert.Equal([otherDistrict], raw.Switches[2].Districts);
        // The other district's emergency leaves this sensor on its normal thresholds.
        var rules = silo.Services.GetRequiredService<SensorRulebook>();
        var kindOf = city.Sensors[Sensor].Kind;
        Assert.Equal(rules.For(kindOf, OperatingMode.Normal).Unit, raw.Unit);
        Assert.Equal(
            [(Start, OperatingMode.Normal, rules.For(kindOf, OperatingMode.Normal)), (Start.AddMinutes(90), OperatingMode.Emergency, rules.For(kindOf, OperatingMode.Emergency)),
                (Start.AddMinutes(150), OperatingMode.Normal, rules.For(kindOf, OperatingMode.Normal))],
            raw.Thresholds.Select(t => (t.From, t.Mode, t.Thresholds)));

        // Inside the emergency: in force at the range's start is the emergency's.
        var during = await history.ReadingsAsync(Sensor, Start.AddMinutes(100), Start.AddMinutes(140), 2_000, CancellationToken.None);
        Assert.Equal([OperatingMode.Emergency], during.Thresholds.Select(t => t.Mode));
        Assert.Empty(during.Switches);

        // More readings than the plot takes, and more minutes: hourly buckets of min, max and mean.
        var hourly = await history.ReadingsAsync(Sensor, Start, Start.AddHours(3), 10, CancellationToken.None);
        Assert.Equal(TimeSpan.FromHours(1), hourly.BucketWidth);
        Assert.Equal([Start, Start.AddHours(1), Start.AddHours(2)], hourly.Points.Select(p => p.At));
        Assert.Equal((1.0, 6.0, 3.5, 6L), (hourly.Points[0].Min, hourly.Points[0].Max, hourly.Points[0].Value, hourly.Points[0].Count));
        var asMany = await history.ReadingsAsync(Sensor, Start, Start.AddMinutes(30), 4, CancellationToken.None);
        Assert.Equal((null, 4), (asMany.BucketWidth, asMany.Points.Count));
        var fewer = await history.ReadingsAsync(Sensor, Start, Start.AddMinutes(50), 5, CancellationToken.None);
        Assert.Equal(TimeSpan.FromHours(1), fewer.BucketWidth);

        await Assert.ThrowsAsync<ArgumentException>(() => history.ReadingsAsync("NO-SUCH", Start, Start.AddHours(1), 10, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => history.ReadingsAsync(Sensor, Start.AddHours(1), Start, 10, CancellationToken.None));
    }

    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.PostgreSql)]
    public async Task An_areas_samples_come_with_the_one_in_force_at_the_start_or_as_hourly_means_when_there_are_more_than_the_plot_takes(StorageKind kind)
    {
        await using var database = await StorageTestDatabase.CreateAsync(kind);
        var clock = new FakeTimeProvider(Start.AddHours(6));
        await using var silo = Silo(kind, database.ConnectionString, clock);
        await silo.WhenCityFiledAsync();
        var writer = silo.Services.GetRequiredService<HistoryWriter>();
        await writer.Ready.WaitAsync(TimeSpan.FromSeconds(60));
        // The district's flood index falls to 40 over the first hour (a sample every 5 minutes) and is back at 100 at 03:00.
        var samples = Enumerable.Range(0, 12).Select(i => new SignsSample("310115", Start.AddMinutes(5 * i).UtcTicks, 100 - 5 * i, 100, 100, 100, 100 - i))
            .Append(new SignsSample("310115", Start.AddHours(3).UtcTicks, 100, 100, 100, 100, 100)).ToList();
        await writer.Store.WriteSignsAsync(samples, CancellationToken.None);

        var history = silo.Services.GetRequiredService<ICityHistory>();
        var signs = await history.SignsAsync("310115", Start.AddMinutes(32), Start.AddHours(4), 2_000, CancellationToken.None);
        Assert.Null(signs.BucketWidth);
        Assert.Equal(SignIndexes.All.Order(), signs.Series.Keys.Order());
        // The sample of 00:30 was in force at 00:32.
        Assert.Equal([(Start.AddMinutes(30), 70.0), (Start.AddMinutes(35), 65), (Start.AddMinutes(40), 60), (Start.AddMinutes(45), 55), (Start.AddMinutes(50), 50),
                (Start.AddMinutes(55), 45), (Start.AddHours(3), 100)],
            signs.Series[SignIndex.Flood].Select(p => (p.At, p.Value)));
        Assert.Equal(94, signs.Series[SignIndex.Composite][0].Value);

        var hourly = await history.SignsAsync("310115", Start, Start.AddHours(4), 5, CancellationToken.None);
        Assert.Equal(TimeSpan.FromHours(1), hourly.BucketWidth);
        var firstHour = hourly.Series[SignIndex.Flood][0];
        Assert.Equal((Start, 72.5, 45.0, 100.0), (firstHour.At, firstHour.Value, firstHour.Min, firstHour.Max));
        Assert.Equal([Start, Start.AddHours(3)], hourly.Series[SignIndex.Flood].Select(p => p.At));

        await Assert.ThrowsAsync<ArgumentException>(() => history.SignsAsync("nowhere", Start, Start.AddHours(1), 10, CancellationToken.None));
    }

    [Fact]
    public async Task With_the_history_off_a_plot_is_told_so()
    {
        await using var silo = new SiloFactory(("data", SiloFactory.NewDataFolder()), ("History:Enabled", "false"));
        await silo.WhenCityFiledAsync();

        var unavailable = await Assert.ThrowsAsync<HistoryUnavailableException>(() =>
            silo.Services.GetRequiredService<ICityHistory>().ReadingsAsync(Sensor, Start, Start.AddHours(1), 10, CancellationToken.None));
        Assert.True(unavailable.Off);
        Assert.Contains("History:Enabled false", unavailable.Message);
    }

    [Theory]
    [InlineData("Normal", OperatingMode.Normal, null, null, new string[0])]
    [InlineData("Emergency Flood III", OperatingMode.Emergency, EmergencyKind.Flood, ResponseLevel.III, new string[0])]
    [InlineData("Emergency Typhoon I [310115 310104]", OperatingMode.Emergency, EmergencyKind.Typhoon, ResponseLevel.I, new[] { "310115", "310104" })]
    public void A_mode_as_the_history_names_it_reads_back_as_the_switch(string described, OperatingMode to, EmergencyKind? kind, ResponseLevel? level, string[] districts)
    {
        var mark = CityHistory.Parse(Start, described, "指挥长", "why");
        Assert.Equal((to, kind, level), (mark.To, mark.Kind, mark.Level));
        Assert.Equal(districts, mark.Districts);
    }
}
