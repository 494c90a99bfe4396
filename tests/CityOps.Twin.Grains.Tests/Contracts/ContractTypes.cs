using System.Reflection;
using CityOps.Twin.Contracts.Cases;
using CityOps.Twin.Contracts.Devices;
using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Contracts.Security;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Contracts.Signs;
using Orleans;

namespace CityOps.Twin.Grains.Tests.Contracts;

/// <summary>
/// The contract types that cross a grain call, found the way a grain call meets them: from every grain interface's
/// parameters and results, every stream's events and every exception a grain throws, down through the serialized
/// members of each type reached.
/// </summary>
internal static class ContractTypes
{
    public static Assembly Assembly { get; } = typeof(CaseRecord).Assembly;

    /// <summary>What the twin's streams carry (<see cref="CityOps.Twin.Contracts.TwinStreams"/>): they cross silos as grain calls do.</summary>
    public static IReadOnlyList<Type> StreamEvents { get; } =
        [typeof(SensorAlarmChanged), typeof(DeviceState), typeof(CaseRecord), typeof(AreaSummary), typeof(ModeChange), typeof(VitalSigns)];

    /// <summary>The exceptions grains throw that the API turns into 409, 400 or 503: they must reach it as themselves.</summary>
    public static IReadOnlyList<Type> GrainExceptions { get; } =
        [typeof(CaseTransitionException), typeof(CaseInputException), typeof(ModeSwitchException), typeof(TwinNotDurableException)];

    /// <summary>
    /// The exceptions only in-process services throw (the administration desk, the role check before any grain is
    /// called): they never cross a grain call, and carry in-process types (a signed-in actor) that need not either.
    /// </summary>
    public static IReadOnlyList<Type> InProcessExceptions { get; } = [typeof(SecurityInputException), typeof(TwinForbiddenException)];

    private static readonly HashSet<Type> Primitives =
    [
        typeof(bool), typeof(byte), typeof(sbyte), typeof(short), typeof(ushort), typeof(int), typeof(uint), typeof(long), typeof(ulong),
        typeof(float), typeof(double), typeof(decimal), typeof(char), typeof(string), typeof(Guid), typeof(Uri),
        typeof(DateTime), typeof(DateTimeOffset), typeof(TimeSpan), typeof(DateOnly), typeof(TimeOnly),
        typeof(Orleans.Runtime.SiloAddress),
    ];

    // Generic shapes Orleans serializes itself, in which only the type arguments need looking at.
    private static readonly HashSet<Type> Containers =
    [
        typeof(Task<>), typeof(ValueTask<>), typeof(Nullable<>),
        typeof(IEnumerable<>), typeof(IReadOnlyCollection<>), typeof(IReadOnlyList<>), typeof(ICollection<>), typeof(IList<>), typeof(List<>),
        typeof(IReadOnlySet<>), typeof(ISet<>), typeof(HashSet<>),
        typeof(IReadOnlyDictionary<,>), typeof(IDictionary<,>), typeof(Dictionary<,>), typeof(KeyValuePair<,>),
    ];

    public static IEnumerable<Type> GrainInterfaces => Assembly.GetTypes().Where(t => t.IsInterface && t.GetInterfaces().Any(IsGrainMarker));

    /// <summary>Every type a grain call, stream or grain exception reaches, with how it was reached (for a failure's message).</summary>
    public static IReadOnlyDictionary<Type, string> Reached() => Walk().Reached;

    /// <summary>Types reached that are neither in contracts nor ones Orleans serializes out of the box.</summary>
    public static IReadOnlyDictionary<Type, string> Foreign() => Walk().Foreign;

    public static bool IsSerializable(Type type) => type.GetCustomAttribute<GenerateSerializerAttribute>() is not null;

    /// <summary>The members Orleans writes: fields and auto-properties marked [Id], declared on the type or a contracts base.</summary>
    public static IEnumerable<(string Name, Type Type, uint Id)> SerializedMembers(Type type)
    {
        for (var declaring = type; declaring is not null && declaring.Assembly == Assembly; declaring = declaring.BaseType)
        {
            const BindingFlags Declared = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
            foreach (var property in declaring.GetProperties(Declared))
            {
                if (property.GetCustomAttribute<IdAttribute>() is { } id)
                {
                    yield return (property.Name, property.PropertyType, id.Id);
                }
            }

            foreach (var field in declaring.GetFields(Declared))
            {
                if (field.GetCustomAttribute<IdAttribute>() is { } id)
                {
                    yield return (field.Name, field.FieldType, id.Id);
                }
            }
        }
    }

    private static bool IsGrainMarker(Type type) => type.FullName is "CityOps.Twin.Runtime.IGrain" or "Orleans.Runtime.IAddressable";

    private static (Dictionary<Type, string> Reached, Dictionary<Type, string> Foreign) Walk()
    {
        var reached = new Dictionary<Type, string>();
        var foreign = new Dictionary<Type, string>();
        var pending = new Queue<(Type Type, string Path)>();
        foreach (var grain in GrainInterfaces)
        {
            foreach (var method in grain.GetMethods())
            {
                foreach (var parameter in method.GetParameters())
                {
                    pending.Enqueue((parameter.ParameterType, $"{grain.Name}.{method.Name}({parameter.Name})"));
                }

                pending.Enqueue((method.ReturnType, $"{grain.Name}.{method.Name}'s result"));
            }
        }

        foreach (var type in StreamEvents)
        {
            pending.Enqueue((type, "a stream's event"));
        }

        foreach (var type in GrainExceptions)
        {
            pending.Enqueue((type, "an exception a grain throws"));
        }

        while (pending.TryDequeue(out var next))
        {
            foreach (var type in Leaves(next.Type))
            {
                if (type.Assembly != Assembly)
                {
                    foreign.TryAdd(type, next.Path);
                }
                else if (reached.TryAdd(type, next.Path))
                {
                    foreach (var member in SerializedMembers(type))
                    {
                        pending.Enqueue((member.Type, $"{next.Path} > {type.Name}.{member.Name}"));
                    }
                }
            }
        }

        return (reached, foreign);
    }

    private static IEnumerable<Type> Leaves(Type type)
    {
        if (type == typeof(void) || type == typeof(Task) || type == typeof(ValueTask) || Primitives.Contains(type))
        {
            return [];
        }

        // A grain or observer reference crosses a call as a reference; its own methods are walked as a grain interface.
        if (type.IsInterface && type.GetInterfaces().Any(IsGrainMarker))
        {
            return [];
        }

        if (type.IsArray)
        {
            return Leaves(type.GetElementType()!);
        }

        if (type.IsGenericType && Containers.Contains(type.GetGenericTypeDefinition()))
        {
            return type.GetGenericArguments().SelectMany(Leaves);
        }

        return [type];
    }
}
