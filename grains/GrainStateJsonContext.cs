using System.Text.Json.Serialization;
using CityOps.Twin.Grains.Mode;

namespace CityOps.Twin.Grains;

/// <summary>Source-generated JSON metadata for every grain state type of the twin.</summary>
[JsonSerializable(typeof(CityModeState))]
[JsonSourceGenerationOptions(UseStringEnumConverter = true)]
public sealed partial class GrainStateJsonContext : JsonSerializerContext;
