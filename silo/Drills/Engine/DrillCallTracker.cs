using System.Collections.Concurrent;
using System.Reflection;
using Orleans;
using Orleans.Concurrency;
using Orleans.Runtime;

namespace CityOps.Twin.Silo.Drills.Engine;

/// <summary>
/// The drill silo's grain call filters, booking calls and turns in the <see cref="DrillWorkLedger"/> (why these
/// cover every grain call is said there). Registered only in drill silos: the live silo pays nothing for them.
/// </summary>
public sealed class DrillCallTracker(DrillWorkLedger ledger) : IIncomingGrainCallFilter, IOutgoingGrainCallFilter
{
    /// <summary>Carries a one-way call's booking from the sender's filter to the callee's.</summary>
    private const string OneWayKey = "cityops.drill.one-way";

    private static readonly ConcurrentDictionary<MethodInfo, bool> OneWayMethods = new();

    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        var what = $"call {context.InterfaceMethod.DeclaringType?.Name}.{context.MethodName} to {context.TargetId}";
        if (OneWayMethods.GetOrAdd(context.InterfaceMethod, static m => m.GetCustomAttribute<OneWayAttribute>() is not null))
        {
            var id = ledger.OneWaySent(what);
            RequestContext.Set(OneWayKey, id);
            try
            {
                await context.Invoke();
            }
            catch
            {
                ledger.OneWayArrived(id);
                throw;
            }
            return;
        }
        ledger.Begin(what);
        try
        {
            await context.Invoke();
        }
        finally
        {
            ledger.End(what);
        }
    }

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        var what = $"turn {context.InterfaceMethod.DeclaringType?.Name}.{context.MethodName} on {context.TargetId}";
        ledger.Begin(what);
        try
        {
            if (RequestContext.Get(OneWayKey) is long id)
            {
                // Calls this turn makes must not carry the tag on.
                RequestContext.Remove(OneWayKey);
                ledger.OneWayArrived(id);
            }
            await context.Invoke();
        }
        finally
        {
            ledger.End(what);
        }
    }
}
