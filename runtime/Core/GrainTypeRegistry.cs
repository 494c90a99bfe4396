using System.Collections.Concurrent;
using System.Reflection;
using CityOps.Twin.Runtime.Persistence;
using CityOps.Twin.Runtime.Streams;
using Microsoft.Extensions.DependencyInjection;

namespace CityOps.Twin.Runtime;

/// <summary>
/// What the silo knows of grain classes, built once at start from the registered assemblies: which class
/// serves each grain interface, each class's stable name, how to construct it (services and persistent
/// states for its constructor) and which stream namespaces it subscribes to implicitly.
/// </summary>
internal sealed class GrainTypeRegistry
{
    private readonly Dictionary<Type, string> _typeByInterface = [];
    private readonly Dictionary<string, GrainClass> _classByType = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string[]> _implicitByNamespace = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string, Type), string[]> _implicitByItemType = new();
    private readonly ConcurrentDictionary<Type, Func<GrainId, IGrainCallInvoker, GrainReference>> _referenceFactories = new();

    public GrainTypeRegistry(IEnumerable<Assembly> grainAssemblies)
    {
        var implicitSubscribers = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var type in grainAssemblies.Distinct().SelectMany(a => a.GetTypes())
                     .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(Grain).IsAssignableFrom(t)))
        {
            var grainClass = new GrainClass(type);
            if (_classByType.TryGetValue(grainClass.Name, out var clash))
            {
                throw new InvalidOperationException($"Grain classes {clash.Type.FullName} and {type.FullName} share the grain type name '{grainClass.Name}'; give one a [GrainType] name.");
            }
            _classByType.Add(grainClass.Name, grainClass);

            foreach (var grainInterface in type.GetInterfaces().Where(i => i != typeof(IGrainWithStringKey) && typeof(IGrainWithStringKey).IsAssignableFrom(i)))
            {
                if (_typeByInterface.TryGetValue(grainInterface, out var other))
                {
                    throw new InvalidOperationException($"Grain interface {grainInterface.FullName} is implemented by both '{other}' and '{grainClass.Name}'; one class per interface.");
                }
                _typeByInterface.Add(grainInterface, grainClass.Name);
            }

            foreach (var subscription in type.GetCustomAttributes<ImplicitStreamSubscriptionAttribute>())
            {
                if (!implicitSubscribers.TryGetValue(subscription.Namespace, out var list))
                {
                    implicitSubscribers[subscription.Namespace] = list = [];
                }
                list.Add(grainClass.Name);
            }
        }

        foreach (var (streamNamespace, types) in implicitSubscribers)
        {
            _implicitByNamespace[streamNamespace] = [.. types];
        }
    }

    public static string NameOf(Type grainClass) =>
        grainClass.GetCustomAttribute<GrainTypeAttribute>()?.Name
        ?? (grainClass.Name.EndsWith("Grain", StringComparison.Ordinal) && grainClass.Name.Length > 5
            ? grainClass.Name[..^5]
            : grainClass.Name).ToLowerInvariant();

    public GrainId GrainIdOf(Type grainInterface, string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _typeByInterface.TryGetValue(grainInterface, out var type)
            ? new GrainId(type, key)
            : throw new ArgumentException($"No grain class implements {grainInterface.FullName}; register the assembly that holds it with AddGrains.", nameof(grainInterface));
    }

    public GrainReference CreateReference(Type grainInterface, GrainId grainId, IGrainCallInvoker invoker) =>
        _referenceFactories.GetOrAdd(grainInterface, static grainInterface =>
        {
            var referenceType = grainInterface.Assembly.GetCustomAttributes<GrainReferenceTypeAttribute>()
                .FirstOrDefault(a => a.GrainInterface == grainInterface)?.ReferenceType
                ?? throw new InvalidOperationException(
                    $"No generated reference for {grainInterface.FullName}: the project that declares it must reference CityOps.Twin.Runtime.CodeGenerator as an analyzer.");
            var constructor = referenceType.GetConstructor([typeof(GrainId), typeof(IGrainCallInvoker)])!;
            return (id, inv) => (GrainReference)constructor.Invoke([id, inv]);
        })(grainId, invoker);

    /// <summary>Grain types that implicitly receive items of type <typeparamref name="T"/> from the namespace.</summary>
    public string[] ImplicitSubscribers<T>(string streamNamespace)
    {
        if (!_implicitByNamespace.TryGetValue(streamNamespace, out var types))
        {
            return [];
        }

        return _implicitByItemType.GetOrAdd((streamNamespace, typeof(T)), key =>
        {
            foreach (var type in types)
            {
                if (!typeof(IAsyncObserver<T>).IsAssignableFrom(_classByType[type].Type))
                {
                    throw new InvalidOperationException(
                        $"Grain class {_classByType[type].Type.FullName} subscribes implicitly to stream namespace '{key.Item1}' but does not implement IAsyncObserver<{typeof(T).Name}>.");
                }
            }
            return types;
        });
    }

    public Grain CreateGrain(ActivationData activation, IServiceProvider services)
    {
        if (!_classByType.TryGetValue(activation.GrainId.Type, out var grainClass))
        {
            throw new InvalidOperationException($"No grain class has the grain type '{activation.GrainId.Type}' (grain {activation.GrainId}).");
        }
        return grainClass.Create(activation, services);
    }

    private sealed class GrainClass
    {
        private readonly ConstructorInfo _constructor;
        private readonly Func<ActivationData, IServiceProvider, object>[] _arguments;

        public GrainClass(Type type)
        {
            Type = type;
            Name = NameOf(type);
            var constructors = type.GetConstructors();
            if (constructors.Length != 1)
            {
                throw new InvalidOperationException($"Grain class {type.FullName} must have exactly one public constructor; it has {constructors.Length}.");
            }
            _constructor = constructors[0];
            _arguments = [.. _constructor.GetParameters().Select(ArgumentFor)];
        }

        public Type Type { get; }

        public string Name { get; }

        public Grain Create(ActivationData activation, IServiceProvider services)
        {
            var arguments = new object[_arguments.Length];
            for (var i = 0; i < arguments.Length; i++)
            {
                arguments[i] = _arguments[i](activation, services);
            }
            return (Grain)_constructor.Invoke(arguments);
        }

        private Func<ActivationData, IServiceProvider, object> ArgumentFor(ParameterInfo parameter)
        {
            var attribute = parameter.GetCustomAttribute<PersistentStateAttribute>();
            if (attribute is null)
            {
                return (_, services) => services.GetRequiredService(parameter.ParameterType);
            }

            if (!parameter.ParameterType.IsGenericType || parameter.ParameterType.GetGenericTypeDefinition() != typeof(IPersistentState<>))
            {
                throw new InvalidOperationException($"Parameter '{parameter.Name}' of {Type.FullName} has [PersistentState] but is not an IPersistentState<T>.");
            }

            var stateType = parameter.ParameterType.GetGenericArguments()[0];
            if (stateType.GetConstructor(Type.EmptyTypes) is null)
            {
                throw new InvalidOperationException($"State type {stateType.FullName} of {Type.FullName} needs a public parameterless constructor for its empty state.");
            }

            var create = typeof(GrainClass).GetMethod(nameof(CreateState), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(stateType);
            return (activation, _) => create.Invoke(null, [activation, attribute])!;
        }

        private static PersistentState<TState> CreateState<TState>(ActivationData activation, PersistentStateAttribute attribute)
            where TState : new()
        {
            var runtime = activation.Runtime;
            return new PersistentState<TState>(
                activation,
                attribute.StateName,
                runtime.Storages.Get(attribute.StorageName),
                runtime.Serializer.GetTypeInfo<TState>(),
                attribute.WriteBehind ? runtime.WriteBehindFor(attribute.WriteBehindSeconds) : null,
                runtime.Instruments);
        }
    }
}
