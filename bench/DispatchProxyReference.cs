using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Reflection;

namespace CityOps.Twin.Bench;

/// <summary>
/// The alternative to generated references, measured against them: a <see cref="DispatchProxy"/> that
/// implements the grain interface at run time. Each call packs its arguments into an array and looks its
/// invoker up by MethodInfo; the grain-side call is a compiled expression, the fastest a reflection-based
/// reference can be without generated code.
/// </summary>
public class DispatchProxyReference : DispatchProxy
{
    private static readonly ConcurrentDictionary<MethodInfo, Func<IGrainCallInvoker, GrainReference, object?[], object>> Invokers = new();

    private GrainReference _target = null!;
    private IGrainCallInvoker _invoker = null!;

    public static TGrain Create<TGrain>(GrainRuntime runtime, string key) where TGrain : IGrainWithStringKey
    {
        var generated = (GrainReference)(object)runtime.GetGrain<TGrain>(key);
        var proxy = Create<TGrain, DispatchProxyReference>();
        var reference = (DispatchProxyReference)(object)proxy!;
        reference._target = new ProxyTarget(generated.GrainId, runtime);
        reference._invoker = runtime;
        return proxy;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
        Invokers.GetOrAdd(targetMethod!, Build)(_invoker, _target, args ?? []);

    private static Func<IGrainCallInvoker, GrainReference, object?[], object> Build(MethodInfo method)
    {
        var result = method.ReturnType.GetGenericArguments().Single();
        return (Func<IGrainCallInvoker, GrainReference, object?[], object>)typeof(DispatchProxyReference)
            .GetMethod(nameof(BuildTyped), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(method.DeclaringType!, result)
            .Invoke(null, [method])!;
    }

    private static Func<IGrainCallInvoker, GrainReference, object?[], object> BuildTyped<TGrain, TResult>(MethodInfo method)
    {
        var grain = Expression.Parameter(typeof(TGrain), "grain");
        var arguments = Expression.Parameter(typeof(object?[]), "arguments");
        var call = Expression.Call(grain, method, method.GetParameters().Select((p, i) =>
            Expression.Convert(Expression.ArrayIndex(arguments, Expression.Constant(i)), p.ParameterType)));
        var grainCall = Expression.Lambda<Func<TGrain, object?[], Task<TResult>>>(call, grain, arguments).Compile();
        var name = method.Name;
        return (invoker, target, args) => invoker.InvokeAsync(target, name, args, grainCall);
    }

    private sealed class ProxyTarget(GrainId grainId, IGrainCallInvoker invoker) : GrainReference(grainId, invoker);
}
