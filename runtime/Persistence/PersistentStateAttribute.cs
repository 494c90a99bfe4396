namespace CityOps.Twin.Runtime;

/// <summary>Marks a grain constructor parameter of type <see cref="IPersistentState{TState}"/>.</summary>
[AttributeUsage(AttributeTargets.Parameter)]
public sealed class PersistentStateAttribute(string stateName, string storageName = PersistentStateAttribute.DefaultStorage) : Attribute
{
    public const string DefaultStorage = "Default";

    public string StateName { get; } = stateName;

    public string StorageName { get; } = storageName;

    /// <summary>
    /// Hot state (sensor readings) that may be saved late: <c>WriteStateAsync</c> returns at once and the
    /// latest state is saved, coalesced with other grains', within <see cref="GrainRuntimeOptions.WriteBehindWindow"/>
    /// and on deactivation. Leave it off for anything that must be durable before it is acknowledged (cases).
    /// </summary>
    public bool WriteBehind { get; init; }
}
