using System.Text.Json.Serialization;
using CityOps.Twin.Grains.Cases;
using CityOps.Twin.Grains.Mode;
using CityOps.Twin.Grains.Sensors;

namespace CityOps.Twin.Grains;

/// <summary>Source-generated JSON metadata for every grain state type of the twin.</summary>
[JsonSerializable(typeof(CityModeState))]
[JsonSerializable(typeof(CaseState))]
[JsonSerializable(typeof(SensorFileState))]
[JsonSerializable(typeof(SensorLiveState))]
[JsonSourceGenerationOptions(UseStringEnumConverter = true)]
public sealed partial class GrainStateJsonContext : JsonSerializerContext;
