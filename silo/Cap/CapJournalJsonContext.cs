using System.Text.Json.Serialization;
using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Contracts.Sensors;

namespace CityOps.Twin.Silo.Cap;

/// <summary>The journal's change column: the change as the grain made it (its time keeps the offset it came with).</summary>
[JsonSerializable(typeof(SensorAlarmChanged))]
[JsonSerializable(typeof(ModeChange))]
[JsonSourceGenerationOptions(UseStringEnumConverter = true)]
internal sealed partial class CapJournalJsonContext : JsonSerializerContext;
