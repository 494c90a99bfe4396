using CityOps.Twin.Grains.Cases;
using CityOps.Twin.Grains.History;
using CityOps.Twin.Grains.Mode;
using CityOps.Twin.Grains.Placement;
using CityOps.Twin.Grains.Sensors;
using CityOps.Twin.Grains.Signs;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace CityOps.Twin.Grains;

/// <summary>What a silo needs for the twin's grains: their storage's name and states, and the catalogues they read.</summary>
public static class TwinGrains
{
    /// <summary>The grain storage every grain state names (<c>[PersistentState(name, TwinGrains.Storage)]</c>).</summary>
    public const string Storage = "twin";

    /// <summary>
    /// The hot states, saved behind within their window instead of before the grain's write returns: a sensor's
    /// latest value within 1 s and its history of 96 readings within 5 s (rewriting the history every second was
    /// most of the cost of ingest at city scale), and what the vital-signs tree counts, which its devices and
    /// cases send again after a loss. Alarms, cases, files and the mode are written through.
    /// </summary>
    public static IReadOnlyDictionary<string, TimeSpan> WriteBehind { get; } = new Dictionary<string, TimeSpan>(StringComparer.Ordinal)
    {
        ["live"] = TimeSpan.FromSeconds(1),
        ["recent"] = TimeSpan.FromSeconds(SensorGrain.RecentWriteBehindSeconds),
        ["tally"] = TimeSpan.FromSeconds(1),
        ["children"] = TimeSpan.FromSeconds(1),
        ["trend"] = TimeSpan.FromSeconds(1),
    };

    /// <summary>The types of stored state, for the storage's System.Text.Json serializer.</summary>
    public static System.Text.Json.Serialization.Metadata.IJsonTypeInfoResolver StateTypes => GrainStateJsonContext.Default;

    /// <summary>
    /// Whether Orleans' serializer writes the type as JSON through <see cref="StateTypes"/>: the grain states and the
    /// grains' own types inside them (the contracts carry Orleans' generated codecs). Orleans serializes a state when
    /// a grain migrates (GridRebalancer moves a grid's grains to the silo that now owns the grid): the state goes with
    /// the activation, as the storage would have written it, and the new activation does not read it back.
    /// </summary>
    public static bool IsStateType(Type type) =>
        type.Assembly == typeof(TwinGrains).Assembly
        && !type.IsDefined(typeof(GenerateSerializerAttribute), inherit: false)
        && GrainStateJsonContext.Default.GetTypeInfo(type) is not null;

    /// <summary>The city's grains placed by their grid (<see cref="GridPlacement"/>), with the silo's map of keys to grids if it has one.</summary>
    public static IServiceCollection AddGridPlacement(this IServiceCollection services) => GridPlacement.Register(services);

    /// <summary>The case categories and sensor rules (the shipped defaults unless others are given), and the silo's mode cache.</summary>
    public static IServiceCollection AddTwinCatalogues(
        this IServiceCollection services,
        CaseCategoryCatalogue? categories = null,
        SensorRulebook? sensorRules = null,
        VitalSignsWeights? weights = null,
        VitalSignsOptions? signs = null)
    {
        weights ??= VitalSignsWeights.Default;
        if (weights.Problem() is { } problem)
        {
            throw new ArgumentException($"Vital-signs weights: {problem}.", nameof(weights));
        }
        return services
            .AddSingleton(categories ?? CaseCategoryCatalogue.Default)
            .AddSingleton(sensorRules ?? SensorRulebook.Default)
            .AddSingleton(new VitalSignsCalculator(weights))
            .AddSingleton(signs ?? VitalSignsOptions.Default)
            .AddSingleton<CityModeCache>()
            // No history unless the silo adds its store after this (HistoryHosting): the last registration wins.
            .AddSingleton<IHistoryAppender>(HistoryOff.Instance)
            .AddSerializer(serializer => serializer.AddJsonSerializer(IsStateType, new System.Text.Json.JsonSerializerOptions { TypeInfoResolver = StateTypes }))
            .AddGridPlacement();
    }
}
