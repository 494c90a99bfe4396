using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace CityOps.Twin.Runtime.Persistence;

/// <summary>
/// Turns grain state into JSON with System.Text.Json source-generated metadata only: the resolvers are the
/// <c>JsonSerializerContext</c>s the application registers, so no reflection runs on the hot path, and a
/// state type someone forgot to register fails at activation with a message that says what to add.
/// </summary>
public sealed class GrainStateSerializer
{
    private readonly JsonSerializerOptions _options;

    public GrainStateSerializer(IEnumerable<IJsonTypeInfoResolver> resolvers)
    {
        _options = new JsonSerializerOptions { TypeInfoResolver = JsonTypeInfoResolver.Combine([.. resolvers]) };
        _options.MakeReadOnly();
    }

    public JsonTypeInfo<T> GetTypeInfo<T>()
    {
        try
        {
            return (JsonTypeInfo<T>)_options.GetTypeInfo(typeof(T));
        }
        catch (NotSupportedException exception)
        {
            throw new InvalidOperationException(
                $"Grain state type {typeof(T).FullName} has no source-generated JSON metadata. Add [JsonSerializable(typeof({typeof(T).Name}))] to a JsonSerializerContext and register it with AddStateSerialization.",
                exception);
        }
    }
}
