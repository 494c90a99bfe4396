using CityOps.Twin.Grains.Cases;
using CityOps.Twin.Grains.Sensors;
using CityOps.Twin.Runtime.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace CityOps.Twin.Grains;

/// <summary>Puts the twin's grains into a silo, with the catalogues they read.</summary>
public static class TwinGrains
{
    public static GrainRuntimeBuilder AddTwinGrains(this GrainRuntimeBuilder builder) =>
        builder.AddGrains(typeof(TwinGrains).Assembly).AddStateSerialization(GrainStateJsonContext.Default);

    /// <summary>The case categories and sensor rules; the shipped defaults unless others are given.</summary>
    public static IServiceCollection AddTwinCatalogues(this IServiceCollection services, CaseCategoryCatalogue? categories = null, SensorRulebook? sensorRules = null) =>
        services.AddSingleton(categories ?? CaseCategoryCatalogue.Default).AddSingleton(sensorRules ?? SensorRulebook.Default);
}
