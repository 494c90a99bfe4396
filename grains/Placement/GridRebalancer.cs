using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Core.Internal;
using Orleans.Runtime;

namespace CityOps.Twin.Grains.Placement;

/// <summary>
/// Hands a joining silo its share of the city: when a silo becomes active, this silo asks each of its grid-placed
/// activations that rendezvous hashing now gives to another silo to migrate there (state and all, when idle).
/// Placement alone only decides where a grain is activated, so without this the silo that filed the city, or the
/// survivors of a restart, would keep every grain until it was collected, and a silo that joins would hold none.
/// A silo that leaves needs nothing here: its grains activate on the survivors at their next call.
/// </summary>
public sealed class GridRebalancer(
    IClusterMembershipService membership, IGrainFactory grains, ILocalSiloDetails silo, IGridPlacementMap map, ILogger<GridRebalancer> logger)
    : BackgroundService, ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>
    /// How long after a pass another looks for grains still here that belong elsewhere: a grain busy through one
    /// pass, or asked before every silo's placement knew the joiner, is asked again.
    /// </summary>
    public static readonly TimeSpan Recheck = TimeSpan.FromSeconds(5);

    /// <summary>Passes after a join: enough for the stragglers of a busy city, bounded so a grain that cannot move is not asked forever.</summary>
    private const int PassesPerJoin = 3;

    /// <summary>Migration requests sent at once: a city's worth one by one takes minutes, all at once floods the joiner.</summary>
    private const int MigrationsInFlight = 64;

    private readonly TaskCompletionSource _siloActive = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly GridPlacementDirector _director = new(map);
    private readonly ConcurrentDictionary<string, bool> _gridPlaced = new(StringComparer.Ordinal);

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(GridRebalancer), ServiceLifecycleStage.Active,
            _ => { _siloActive.TrySetResult(); return Task.CompletedTask; },
            _ => Task.CompletedTask);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await _siloActive.Task.WaitAsync(stoppingToken);
            HashSet<SiloAddress> known = [];
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(stoppingToken))
            {
                var active = snapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress).ToList();
                var joined = active.Any(a => !known.Contains(a));
                known = [.. active];
                if (!joined || active.Count < 2 || !known.Contains(silo.SiloAddress))
                {
                    continue;
                }
                for (var pass = 0; pass < PassesPerJoin && await MoveAsync(active) > 0; pass++)
                {
                    await Task.Delay(Recheck, stoppingToken);
                    if (membership.CurrentSnapshot.Version != snapshot.Version)
                    {
                        break;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Asks every local grid-placed activation whose silo is now another to migrate; returns how many were asked.</summary>
    private async Task<int> MoveAsync(IReadOnlyList<SiloAddress> active)
    {
        try
        {
            var local = await grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics(hostsIds: [silo.SiloAddress]);
            var moving = local
                .Where(s => IsGridPlaced(s.GrainType))
                .Where(s => !GridPlacementDirector.Choose(_director.PlacementKey(s.GrainId), active).Equals(silo.SiloAddress))
                .Select(s => s.GrainId)
                .ToList();
            foreach (var batch in moving.Chunk(MigrationsInFlight))
            {
                await Task.WhenAll(batch.Select(g => grains.GetGrain(g).AsReference<IGrainManagementExtension>().MigrateOnIdle().AsTask()));
            }
            if (moving.Count > 0)
            {
                logger.LogInformation("{Count} grains of grids that now belong to other silos asked to migrate ({Silos} silos active)", moving.Count, active.Count);
            }
            return moving.Count;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // A silo that cannot hand its grains on keeps serving them: placement stays correct, only the spread is not.
            logger.LogWarning(exception, "Handing grains to the silos that joined failed; they stay here until collected");
            return 0;
        }
    }

    private bool IsGridPlaced(string grainType) => _gridPlaced.GetOrAdd(grainType,
        name => Type.GetType(name, throwOnError: false)?.GetCustomAttribute<GridPlacementAttribute>() is not null);
}
