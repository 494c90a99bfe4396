using CityOps.Twin.Grains.Cases;
using CityOps.Twin.Grains.Sensors;
using CityOps.Twin.Grains.Signs;
using CityOps.Twin.Runtime.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace CityOps.Twin.Grains;

/// <summary>Puts the twin's grains into a silo, with the catalogues they read.</summary>
public static class TwinGrains
{
    public static GrainRuntimeBuilder AddTwinGrains(this GrainRuntimeBuilder builder) =>
        builder.AddGrains(typeof(TwinGrains).Assembly).AddStateSerialization(GrainStateJsonContext.Default);

    /// <summary>The case categories and sensor rules; the shipped defaults unless others are given.</summary>
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
            .AddSingleton(signs ?? VitalSignsOptions.Default);
    }
}
