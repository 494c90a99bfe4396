using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace CityOps.Twin.Grains.Placement;

/// <summary>
/// Saves a grain's written-behind states now (the silo's storage, when it has write-behind): called as the grain
/// deactivates, so that its next activation, on whichever silo, reads what it last wrote.
/// </summary>
public interface IHotStateFlush
{
    Task FlushAsync(GrainId grain);
}

/// <summary>What a grain with written-behind state calls from <c>OnDeactivateAsync</c>.</summary>
public static class HotState
{
    public static async Task FlushAsync(IGrainBase grain)
    {
        var services = grain.GrainContext.ActivationServices;
        if (services.GetService<IHotStateFlush>() is not { } flush)
        {
            return;
        }
        try
        {
            await flush.FlushAsync(grain.GrainContext.GrainId);
        }
        catch (Exception exception)
        {
            // Still queued in the silo's buffer, which saves it within its window or at stop; a new activation elsewhere
            // meanwhile reads the older stored state (what a silo's death would lose, no more).
            services.GetService<ILoggerFactory>()?.CreateLogger(typeof(HotState))
                .LogWarning("Written-behind state of {Grain} not saved at deactivation: {Problem}", grain.GrainContext.GrainId, exception.Message);
        }
    }
}

/// <summary>
/// Moves the city's grains to the silo their grid now belongs to when the cluster changes. Placement by grid acts only
/// when a grain activates: a silo that joins (a new one, or one restarted in a rolling upgrade) would otherwise get
/// none of the grains active elsewhere, and a city filed by the first silo would stay on it. After each membership
/// change, an active grain of <see cref="GridPlacementAttribute"/> that receives a call and whose grid now hashes to
/// another silo deactivates once the call is done (saving its written-behind state: <see cref="HotState"/>); its next
/// call activates it where its grid belongs. One comparison of membership versions a call otherwise.
/// </summary>
internal sealed class GridRebalanceFilter(IClusterMembershipService membership, ILocalSiloDetails local, IServiceProvider services) : IIncomingGrainCallFilter
{
    private GridPlacementDirector? _director;

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        await context.Invoke();
        if (context.Grain is not Grain grain || !Placed(grain.GetType()))
        {
            return;
        }
        var target = context.TargetContext;
        var snapshot = membership.CurrentSnapshot;
        var seen = target.GetComponent<PlacementSeen>();
        if (seen is null)
        {
            // Activated under this membership: where placement put it.
            target.SetComponent(new PlacementSeen { Version = snapshot.Version });
            return;
        }
        if (seen.Version == snapshot.Version)
        {
            return;
        }
        seen.Version = snapshot.Version;
        var active = snapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress).ToList();
        if (active.Count < 2 || !active.Contains(local.SiloAddress))
        {
            return;
        }
        _director ??= (GridPlacementDirector)services.GetRequiredKeyedService<IPlacementDirector>(typeof(GridPlacement));
        var home = GridPlacementDirector.Choose(_director.PlacementKey(target.GrainId), active);
        if (!home.Equals(local.SiloAddress))
        {
            target.Deactivate(new DeactivationReason(DeactivationReasonCode.ApplicationRequested, $"its grid now belongs to silo {home}"));
        }
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, bool> PlacedTypes = new();

    private static bool Placed(Type type) => PlacedTypes.GetOrAdd(type, t => t.IsDefined(typeof(GridPlacementAttribute), inherit: false));

    private sealed class PlacementSeen
    {
        public MembershipVersion Version { get; set; }
    }
}
