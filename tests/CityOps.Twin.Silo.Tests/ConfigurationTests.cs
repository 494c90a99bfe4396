using System.Net.Http.Json;
using CityOps.Twin.Contracts.Cases;
using CityOps.Twin.Grains;
using CityOps.Twin.Grains.Cases;
using CityOps.Twin.Grains.Signs;
using Microsoft.Extensions.DependencyInjection;

namespace CityOps.Twin.Silo.Tests;

public sealed class ConfigurationTests
{
    [Fact]
    public async Task A_case_category_file_given_with_case_categories_sets_the_deadlines()
    {
        using var resource = typeof(CaseCategoryCatalogue).Assembly.GetManifestResourceStream("CityOps.Twin.Grains.case-categories.json")!;
        var shipped = new StreamReader(resource).ReadToEnd();
        var file = Path.Combine(Path.GetTempPath(), $"categories-{Guid.NewGuid():N}.json");
        // Missing manhole covers: 3 minutes to register instead of the shipped 15.
        File.WriteAllText(file, shipped.Replace("\"register\": 15, \"dispatch\": 10, \"dispose\": 240", "\"register\": 3, \"dispatch\": 10, \"dispose\": 240", StringComparison.Ordinal));
        await using var silo = new SiloFactory(("data", SiloFactory.NewDataFolder()), ("storage", "memory"), ("case-categories", file));
        var client = await silo.CreateTwinClientAsync();
        await silo.WhenCityFiledAsync();

        var response = await client.PostAsJsonAsync("/api/cases", new { title = "井盖缺失", categoryCode = "0301", longitude = 121.6050, latitude = 31.2050, reportedBy = "巡查员" });
        var record = (await response.Content.ReadFromJsonAsync<CaseRecord>(DemoSiloFixture.Json))!;

        Assert.Equal(record.ReportedAt.AddMinutes(3), record.StepDueAt);
    }

    [Fact]
    public void Vital_sign_weights_come_from_configuration()
    {
        using var silo = new SiloFactory(("data", SiloFactory.NewDataFolder()), ("storage", "memory"),
            ("VitalSigns:Weights:Blue", "0.1"), ("VitalSigns:Weights:Yellow", "0.4"), ("VitalSigns:Weights:Orange", "0.7"), ("VitalSigns:Weights:Red", "1"),
            ("VitalSigns:Weights:ElevatorFault", "0.75"), ("VitalSigns:Weights:ElevatorTrapped", "1"), ("VitalSigns:Weights:ElevatorMaintenance", "0.25"),
            ("VitalSigns:Weights:OfflineDevice", "1"), ("VitalSigns:Weights:OnTimeDisposal", "0.5"), ("VitalSigns:Weights:Closure", "0.3"),
            ("VitalSigns:Weights:NoRework", "0.2"), ("VitalSigns:Weights:Flood", "0.4"), ("VitalSigns:Weights:Safety", "0.3"),
            ("VitalSigns:Weights:Infrastructure", "0.1"), ("VitalSigns:Weights:CaseHandling", "0.2"));

        var weights = silo.Services.GetRequiredService<VitalSignsCalculator>().Weights;

        Assert.Equal((0.1, 0.4, 0.5), (weights.Blue, weights.Flood, weights.OnTimeDisposal));
    }

    [Fact]
    public void Weights_that_do_not_add_up_are_refused_with_the_reason()
    {
        var bad = VitalSignsWeights.Default with { Flood = 0.9 };

        var error = Assert.Throws<ArgumentException>(() => new ServiceCollection().AddTwinCatalogues(weights: bad));

        Assert.Contains("the composite weights must add up to 1", error.Message);
    }
}
