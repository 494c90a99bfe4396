using System.IO.Hashing;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace CityOps.Twin.Grains.Placement;

/// <summary>
/// Which management grid a grain belongs to, by its key: a grid is its own, a device is its grid's, a device's case
/// (<c>S-WL-00200-0001</c>, <c>A-CAM-…</c>, <c>E-EL-…</c>) is its device's grid's. Null when the key names no grid
/// (areas, hotline cases, the city's singletons): those are spread by their own key.
/// </summary>
public interface IGridPlacementMap
{
    string? GridOf(string grainKey);
}

/// <summary>
/// The city's grains placed by grid: a grid cell, its devices and their cases activate on one silo, chosen by
/// rendezvous hashing of the grid's code over the active silos. The chatty calls of a city (a device's change to its
/// grid, a case to its grid) stay inside a silo, grids spread evenly, and when a silo leaves only its own grids move
/// (to the survivors, again evenly); when one joins, its share of the grids moves to it (GridRebalancer).
/// </summary>
[Serializable, GenerateSerializer, Immutable, SuppressReferenceTracking]
public sealed class GridPlacement : PlacementStrategy
{
    /// <summary>Registers the director with a silo's services; the map is the silo's <see cref="IGridPlacementMap"/> if any.</summary>
    public static IServiceCollection Register(IServiceCollection services)
    {
        services.AddKeyedSingleton<PlacementStrategy, GridPlacement>(nameof(GridPlacement));
        services.AddKeyedSingleton<IPlacementDirector>(typeof(GridPlacement), (sp, _) => new GridPlacementDirector(sp.GetService<IGridPlacementMap>()));
        return services;
    }
}

/// <summary>Places the grain by its grid (see <see cref="GridPlacement"/>).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class GridPlacementAttribute() : PlacementAttribute(new GridPlacement());

/// <summary>Rendezvous (highest random weight) hashing of a grain's grid over the silos compatible with it.</summary>
public sealed class GridPlacementDirector(IGridPlacementMap? map) : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context) =>
        Task.FromResult(Choose(PlacementKey(target.GrainIdentity), context.GetCompatibleSilos(target)));

    /// <summary>What the grain is placed by: its grid's code where it has one, else its own key.</summary>
    public string PlacementKey(GrainId grain)
    {
        var key = grain.Key.ToString()!;
        return map?.GridOf(key) ?? key;
    }

    /// <summary>
    /// The silo with the highest weight for the key: the same on every silo, whatever order they are listed in. The
    /// weight is of the silo's endpoint, not its generation, so a silo restarted on its own ports gets its grids back.
    /// </summary>
    public static SiloAddress Choose(string placementKey, IReadOnlyList<SiloAddress> silos)
    {
        if (silos.Count == 0)
        {
            throw new OrleansException($"No silo can hold a grain of grid '{placementKey}'.");
        }
        SiloAddress best = silos[0];
        var bestWeight = 0UL;
        Span<byte> buffer = stackalloc byte[512];
        foreach (var silo in silos)
        {
            var text = $"{placementKey}@{silo.Endpoint}";
            var length = Encoding.UTF8.GetBytes(text, buffer);
            var weight = XxHash64.HashToUInt64(buffer[..length]);
            if (weight > bestWeight || (weight == bestWeight && silo.CompareTo(best) < 0))
            {
                best = silo;
                bestWeight = weight;
            }
        }
        return best;
    }
}
