using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;

namespace CityOps.Twin.Silo.Drills.Engine;

/// <summary>What a drill silo is started with: where its clock stands, and what grains and services it holds.</summary>
public sealed class DrillSiloOptions
{
    /// <summary>Drill time when the silo starts; its clock stays there until the driver moves it.</summary>
    public required DateTimeOffset Start { get; init; }

    /// <summary>Names the drill in its ServiceId and ClusterId (each also made unique), so logs tell drills apart.</summary>
    public string Name { get; init; } = "drill";

    /// <summary>
    /// The ServiceId to keep stored state and reminders under, when the silo is to find what an earlier one over the
    /// same storage left (a restart); by default a new one, like the ClusterId, so nothing is shared.
    /// </summary>
    public string? ServiceId { get; init; }

    /// <summary>Adds the drill's grains and providers (application parts, call filters, storage names) to the silo.</summary>
    public Action<ISiloBuilder>? ConfigureSilo { get; init; }

    /// <summary>Adds services the drill's grains need (catalogues, options, logging).</summary>
    public Action<IServiceCollection>? ConfigureServices { get; init; }

    /// <summary>
    /// Real time a step may take to settle before the drill gives up naming what was still busy: far above any
    /// step of the city (the typhoon drill's busiest minute settles in well under a second here), so it only ever
    /// trips on work that will never finish.
    /// </summary>
    public TimeSpan QuiescenceTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
