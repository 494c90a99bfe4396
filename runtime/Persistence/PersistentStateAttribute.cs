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

    /// <summary>
    /// For a write-behind state that may be saved later still than the runtime's window (a sensor's history of
    /// readings, whose latest value another state already saves): its own window in seconds. 0, the default,
    /// is the runtime's <see cref="GrainRuntimeOptions.WriteBehindWindow"/>.
    /// </summary>
    public double WriteBehindSeconds { get; init; }
}
