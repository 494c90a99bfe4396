using CityOps.Twin.Contracts.Cases;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Serialization.Cloning;
using Orleans.Serialization.TypeSystem;

namespace CityOps.Twin.Grains.Tests.Contracts;

/// <summary>
/// Orleans' serializer and deep copier over the contracts assembly, as a silo or client holds them: what a grain call
/// does to its arguments and results between processes (serialize) and within one (copy).
/// </summary>
internal static class ContractSerialization
{
    private static readonly IServiceProvider Services = new ServiceCollection()
        .AddSerializer(serializer => serializer.AddAssembly(typeof(CaseRecord).Assembly))
        .BuildServiceProvider();

    public static Serializer Serializer { get; } = Services.GetRequiredService<Serializer>();

    public static DeepCopier Copier { get; } = Services.GetRequiredService<DeepCopier>();

    /// <summary>How Orleans names a type on the wire and in stored data, and reads the name back.</summary>
    public static TypeConverter TypeConverter { get; } = Services.GetRequiredService<TypeConverter>();

    /// <summary>Writes the value as a grain call does an argument of type <typeparamref name="T"/>, and reads it back.</summary>
    public static T? RoundTrip<T>(T value) => Serializer.Deserialize<T>(Serializer.SerializeToArray(value));

    /// <summary><see cref="RoundTrip{T}"/> with the declared type known only at run time.</summary>
    public static object? RoundTrip(Type declared, object value) =>
        typeof(ContractSerialization).GetMethods()
            .Single(m => m.Name == nameof(RoundTrip) && m.IsGenericMethodDefinition)
            .MakeGenericMethod(declared)
            .Invoke(null, [value]);

    /// <summary>Copies the value as a grain call within one silo does an argument of type <typeparamref name="T"/>.</summary>
    public static T? Copy<T>(T value) => Copier.Copy(value);
}
