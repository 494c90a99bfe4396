namespace CityOps.Twin.Runtime;

/// <summary>
/// The stable name of a grain class, used in grain ids and as the grain type column of stored state and
/// reminders. Without it the name is the class name without its "Grain" suffix, lower-cased. Renaming a
/// class that has stored state needs this attribute to keep the old name.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class GrainTypeAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}
