using System.Reflection;
using System.Text.Json;
using CityOps.Twin.Contracts.Cases;
using CityOps.Twin.Contracts.Devices;
using CityOps.Twin.Contracts.Geo;
using CityOps.Twin.Contracts.Signs;
using CityOps.Twin.Grains.Devices;
using CityOps.Twin.Grains.Sensors;
using CityOps.Twin.Grains.Signs;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace CityOps.Twin.Grains.Tests.Contracts;

/// <summary>
/// A grain that migrates (the grid rebalancer moving a grid's grains to the silo that now owns it) takes its states
/// with it through Orleans' serializer. Every state a grain keeps must have a codec there, or the move logs an error a
/// grain and the new activation reads the state back from the database instead.
/// </summary>
public sealed class GrainStateMigrationTests
{
    private static readonly Serializer Serializer = new ServiceCollection()
        .AddTwinCatalogues()
        .AddSerializer(serializer => serializer.AddAssembly(typeof(CaseRecord).Assembly).AddAssembly(typeof(TwinGrains).Assembly))
        .BuildServiceProvider()
        .GetRequiredService<Serializer>();

    private static readonly JsonSerializerOptions Stored = new() { TypeInfoResolver = TwinGrains.StateTypes };

    /// <summary>Every type a grain of the twin keeps as persistent state, found from the grains' constructors.</summary>
    public static TheoryData<string> StateTypes => [.. PersistentStateTypes().Select(t => t.Name)];

    private static IEnumerable<Type> PersistentStateTypes() =>
        typeof(TwinGrains).Assembly.GetTypes()
            .Where(t => typeof(Grain).IsAssignableFrom(t) && !t.IsAbstract)
            .SelectMany(t => t.GetConstructors().SelectMany(c => c.GetParameters()))
            .Where(p => p.GetCustomAttribute<PersistentStateAttribute>() is not null)
            .Select(p => p.ParameterType.GetGenericArguments().Single())
            .Distinct();

    [Fact]
    public void The_grains_keep_the_states_this_test_knows_of()
    {
        // A guard on the discovery above: if it found nothing, the theory below would pass having checked nothing.
        Assert.Contains(typeof(SensorLiveState), PersistentStateTypes());
        Assert.Contains(typeof(GridTallyState), PersistentStateTypes());
        Assert.True(PersistentStateTypes().Count() >= 12, $"found {PersistentStateTypes().Count()} state types");
    }

    [Theory]
    [MemberData(nameof(StateTypes))]
    public void A_grain_state_crosses_to_another_silo_as_the_storage_would_have_written_it(string typeName)
    {
        var type = PersistentStateTypes().Single(t => t.Name == typeName);
        var state = Activator.CreateInstance(type)!;

        var back = typeof(GrainStateMigrationTests).GetMethod(nameof(RoundTrip), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(type).Invoke(null, [state, "41"]);

        Assert.Equal(JsonSerializer.Serialize(state, type, Stored), JsonSerializer.Serialize(back, type, Stored));
    }

    [Fact]
    public void A_sensors_readings_and_a_grids_tally_cross_whole()
    {
        var recent = new SensorRecentState();
        recent.Readings.Add(new DateTimeOffset(2026, 7, 30, 8, 0, 0, TimeSpan.FromHours(8)), 12.5);
        recent.Readings.Add(new DateTimeOffset(2026, 7, 30, 8, 15, 0, TimeSpan.FromHours(8)), 31.25);
        var tally = new GridTallyState();
        var device = (DeviceState)ContractSamples.ByType[typeof(DeviceState)];
        var record = (CaseRecord)ContractSamples.ByType[typeof(CaseRecord)];
        tally.Devices[device.DeviceId] = device;
        tally.Cases[record.CaseId] = record;
        // The sample file's position is NaN, to test the wire; a stored camera has a real one (JSON has no NaN).
        var camera = new CameraState { File = (CameraFile)ContractSamples.ByType[typeof(CameraFile)] with { Position = new GeoPoint(121.4737, 31.2304) }, Online = false, CasesOpened = 3 };

        var recentBack = RoundTrip(recent, "7");
        var tallyBack = RoundTrip(tally, "8");
        var cameraBack = RoundTrip(camera, "9");

        Assert.Equal([12.5, 31.25], recentBack.Readings.ToReadings("WL-00200").Select(r => r.Value));
        Assert.Equal(JsonSerializer.Serialize(tally, Stored), JsonSerializer.Serialize(tallyBack, Stored));
        Assert.Equal(record.CaseId, Assert.Single(tallyBack.Cases).Value.CaseId);
        Assert.Equal(JsonSerializer.Serialize(camera, Stored), JsonSerializer.Serialize(cameraBack, Stored));
        Assert.False(cameraBack.Online);
    }

    /// <summary>What Orleans does to a state on a migration: the storage bridge's <c>GrainState&lt;T&gt;</c>, state and ETag, written and read back.</summary>
    private static T RoundTrip<T>(T state, string etag)
    {
        var back = Serializer.Deserialize<GrainState<T>>(Serializer.SerializeToArray(new GrainState<T>(state, etag)));
        Assert.NotNull(back);
        Assert.Equal(etag, back.ETag);
        return Assert.IsType<T>(back.State);
    }
}
