using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Orleans.Storage;

namespace CityOps.Twin.Silo.Storage;

/// <summary>
/// Grain state as System.Text.Json through a source-generated context, for Orleans' ADO.NET storage and ours alike.
/// Only the context's types are accepted: a state type left out of it would otherwise fail deep inside a write, or
/// be serialized by reflection with different names than the reader expects.
/// </summary>
public sealed class JsonGrainStorageSerializer : IGrainStorageSerializer
{
    private readonly IJsonTypeInfoResolver _types;
    private readonly JsonSerializerOptions _options;

    public JsonGrainStorageSerializer(IJsonTypeInfoResolver types)
    {
        _types = types;
        _options = new JsonSerializerOptions { TypeInfoResolver = types };
    }

    public BinaryData Serialize<T>(T? input) => new(JsonSerializer.SerializeToUtf8Bytes(input!, TypeInfo<T>()));

    public T Deserialize<T>(BinaryData input) => JsonSerializer.Deserialize(input.ToMemory().Span, TypeInfo<T>())!;

    // The options cache what the context resolves, so this costs a lookup per call, not a new contract.
    private JsonTypeInfo<T> TypeInfo<T>() =>
        _options.TryGetTypeInfo(typeof(T), out var info) && info is JsonTypeInfo<T> typed
            ? typed
            : throw new NotSupportedException(
            $"Grain state type '{typeof(T).FullName}' is not in the JSON context {_types.GetType().FullName}: " +
            $"add [JsonSerializable(typeof({typeof(T).Name}))] to it so the state can be stored.");
}
