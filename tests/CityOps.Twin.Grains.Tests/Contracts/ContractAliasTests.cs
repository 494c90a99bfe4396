using System.Reflection;
using CityOps.Twin.Contracts.Cases;
using CityOps.Twin.Contracts.Devices;
using CityOps.Twin.Contracts.Geo;
using CityOps.Twin.Contracts.Live;
using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Contracts.Security;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Contracts.Signs;
using Orleans;

namespace CityOps.Twin.Grains.Tests.Contracts;

public sealed class ContractAliasTests
{
    // An alias names its type in stored and in-flight data: a renamed type keeps its alias, and an alias is never
    // changed or given to another type. A new type adds its line here.
    private static readonly Dictionary<Type, string> Given = new()
    {
        [typeof(NewCase)] = "CityOps.Cases.NewCase",
        [typeof(CaseStep)] = "CityOps.Cases.CaseStep",
        [typeof(CaseTimelineEntry)] = "CityOps.Cases.CaseTimelineEntry",
        [typeof(CaseRecord)] = "CityOps.Cases.CaseRecord",
        [typeof(CaseStatus)] = "CityOps.Cases.CaseStatus",
        [typeof(CaseAction)] = "CityOps.Cases.CaseAction",
        [typeof(CaseSource)] = "CityOps.Cases.CaseSource",
        [typeof(CaseUrgency)] = "CityOps.Cases.CaseUrgency",
        [typeof(CaseTransitionException)] = "CityOps.Cases.CaseTransitionException",
        [typeof(CaseInputException)] = "CityOps.Cases.CaseInputException",
        [typeof(CameraFile)] = "CityOps.Devices.CameraFile",
        [typeof(DetectionKind)] = "CityOps.Devices.DetectionKind",
        [typeof(CameraDetection)] = "CityOps.Devices.CameraDetection",
        [typeof(CameraSnapshot)] = "CityOps.Devices.CameraSnapshot",
        [typeof(DeviceKind)] = "CityOps.Devices.DeviceKind",
        [typeof(ElevatorStatus)] = "CityOps.Devices.ElevatorStatus",
        [typeof(DeviceState)] = "CityOps.Devices.DeviceState",
        [typeof(ElevatorFile)] = "CityOps.Devices.ElevatorFile",
        [typeof(ElevatorSnapshot)] = "CityOps.Devices.ElevatorSnapshot",
        [typeof(GeoPoint)] = "CityOps.Geo.GeoPoint",
        [typeof(OperatingMode)] = "CityOps.Mode.OperatingMode",
        [typeof(ResponseLevel)] = "CityOps.Mode.ResponseLevel",
        [typeof(EmergencyKind)] = "CityOps.Mode.EmergencyKind",
        [typeof(CityMode)] = "CityOps.Mode.CityMode",
        [typeof(ModeSwitch)] = "CityOps.Mode.ModeSwitch",
        [typeof(ModeChange)] = "CityOps.Mode.ModeChange",
        [typeof(ModeSwitchException)] = "CityOps.Mode.ModeSwitchException",
        [typeof(TwinNotDurableException)] = "CityOps.Security.TwinNotDurableException",
        [typeof(SensorKind)] = "CityOps.Sensors.SensorKind",
        [typeof(AlarmLevel)] = "CityOps.Sensors.AlarmLevel",
        [typeof(SensorReading)] = "CityOps.Sensors.SensorReading",
        [typeof(SensorFile)] = "CityOps.Sensors.SensorFile",
        [typeof(ReadingOutcome)] = "CityOps.Sensors.ReadingOutcome",
        [typeof(SensorSnapshot)] = "CityOps.Sensors.SensorSnapshot",
        [typeof(SensorAlarmChanged)] = "CityOps.Sensors.SensorAlarmChanged",
        [typeof(SensorThresholds)] = "CityOps.Sensors.SensorThresholds",
        [typeof(AreaCounters)] = "CityOps.Signs.AreaCounters",
        [typeof(AreaLevel)] = "CityOps.Signs.AreaLevel",
        [typeof(AreaDefinition)] = "CityOps.Signs.AreaDefinition",
        [typeof(Contributor)] = "CityOps.Signs.Contributor",
        [typeof(IndexReasons)] = "CityOps.Signs.IndexReasons",
        [typeof(AreaSummary)] = "CityOps.Signs.AreaSummary",
        [typeof(CaseIndicators)] = "CityOps.Signs.CaseIndicators",
        [typeof(VitalSigns)] = "CityOps.Signs.VitalSigns",
        [typeof(VitalSignsSample)] = "CityOps.Signs.VitalSignsSample",
        [typeof(TwinChanges)] = "CityOps.Live.TwinChanges",
        [typeof(TwinFeedMember)] = "CityOps.Live.TwinFeedMember",
        [typeof(ModeInForce)] = "CityOps.Mode.ModeInForce",
        [typeof(ITwinFeedObserver)] = "CityOps.Live.ITwinFeedObserver",
        [typeof(ITwinFeedPublisherGrain)] = "CityOps.Live.ITwinFeedPublisherGrain",
        [typeof(ITwinFeedHubGrain)] = "CityOps.Live.ITwinFeedHubGrain",
    };

    // Orleans' generated proxies (namespace OrleansCodeGen) carry an alias of their own.
    private static Dictionary<Type, string?> Aliases() => ContractTypes.Assembly.GetTypes()
        .Where(t => t.Namespace?.StartsWith("OrleansCodeGen", StringComparison.Ordinal) != true)
        .Where(t => ContractTypes.IsSerializable(t) || t.GetCustomAttribute<AliasAttribute>() is not null)
        .ToDictionary(t => t, t => t.GetCustomAttribute<AliasAttribute>()?.Alias);

    [Fact]
    public void Every_serializable_contract_type_has_an_alias_no_other_type_has()
    {
        var aliases = Aliases();

        Assert.Empty(aliases.Where(a => a.Value is null).Select(a => $"{a.Key.FullName} has no [Alias]"));
        Assert.Empty(aliases.GroupBy(a => a.Value).Where(g => g.Count() > 1)
            .Select(g => $"alias {g.Key} names {string.Join(" and ", g.Select(a => a.Key.FullName))}"));
    }

    [Fact]
    public void The_aliases_given_are_the_ones_stored_and_in_flight_data_already_names()
    {
        var aliases = Aliases();

        Assert.Equal(Given.OrderBy(g => g.Value, StringComparer.Ordinal), aliases.OrderBy(a => a.Value, StringComparer.Ordinal)!);
    }

    [Fact]
    public void Orleans_names_each_type_by_its_alias_and_reads_the_alias_back_as_the_type()
    {
        var converter = ContractSerialization.TypeConverter;

        Assert.All(Given, given =>
        {
            Assert.Equal(given.Value, converter.Format(given.Key));
            Assert.Equal(given.Key, converter.Parse(given.Value));
        });
    }
}
