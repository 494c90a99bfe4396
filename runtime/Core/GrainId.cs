namespace CityOps.Twin.Runtime;

/// <summary>
/// The identity of one grain: its grain type (the class's stable name, see <see cref="GrainTypeAttribute"/>)
/// and its key. Two interfaces implemented by one class address the same activation for the same key.
/// </summary>
public readonly record struct GrainId(string Type, string Key)
{
    public override string ToString() => $"{Type}/{Key}";
}
