using System.Text.Json.Serialization;
using CityOps.Twin.Grains.Cases;
using CityOps.Twin.Grains.City;
using CityOps.Twin.Grains.Devices;
using CityOps.Twin.Grains.Mode;
using CityOps.Twin.Grains.Sensors;
using CityOps.Twin.Grains.Signs;

namespace CityOps.Twin.Grains;

/// <summary>Source-generated JSON metadata for every grain state type of the twin.</summary>
[JsonSerializable(typeof(CityModeState))]
[JsonSerializable(typeof(CaseState))]
[JsonSerializable(typeof(SensorFileState))]
[JsonSerializable(typeof(SensorLiveState))]
[JsonSerializable(typeof(SensorRecentState))]
[JsonSerializable(typeof(AreaDefinitionState))]
[JsonSerializable(typeof(GridTallyState))]
[JsonSerializable(typeof(AreaChildrenState))]
[JsonSerializable(typeof(VitalSignsTrend))]
[JsonSerializable(typeof(ElevatorState))]
[JsonSerializable(typeof(CameraState))]
[JsonSerializable(typeof(CityImportState))]
[JsonSourceGenerationOptions(UseStringEnumConverter = true)]
public sealed partial class GrainStateJsonContext : JsonSerializerContext;
