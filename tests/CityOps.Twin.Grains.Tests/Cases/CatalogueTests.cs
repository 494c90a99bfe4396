using System.Text;
using CityOps.Twin.Contracts.Cases;
using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Grains.Cases;
using CityOps.Twin.Grains.Sensors;

namespace CityOps.Twin.Grains.Tests.Cases;

public sealed class CatalogueTests
{
    private static Stream Json(string text) => new MemoryStream(Encoding.UTF8.GetBytes(text));

    [Fact]
    public void The_shipped_catalogue_covers_flood_waterlogging_elevator_gas_road_and_sanitation_with_shorter_emergency_deadlines_for_floods()
    {
        var catalogue = CaseCategoryCatalogue.Default;

        foreach (var name in new[] { "道路积水", "潮位超警", "河道水位超警", "电梯困人", "有害气体", "道路破损", "暴露垃圾" })
        {
            Assert.Contains(catalogue.Categories, c => c.Name.Contains(name, StringComparison.Ordinal));
        }
        var waterlogging = catalogue.Get("0401");
        Assert.True(waterlogging.DeadlinesIn(OperatingMode.Emergency).Dispose < waterlogging.DeadlinesIn(OperatingMode.Normal).Dispose);
        Assert.All(Enum.GetValues<SensorKind>(), kind => Assert.True(catalogue.TryGet(SensorRulebook.Default.CaseCategoryOf(kind), out _)));
    }

    [Theory]
    [InlineData("""{"categories":[]}""", "\"categories\" is missing or empty")]
    [InlineData("""{"categories":[{"code":"01","major":"m","name":"n","normal":{"register":1,"dispatch":1,"dispose":1,"check":1}}]}""", "categories[0] (01): needs deadlines for both normal and emergency")]
    [InlineData("""{"categories":[{"code":"01","major":"m","name":"n","normal":{"register":0,"dispatch":1,"dispose":1,"check":1},"emergency":{"register":1,"dispatch":1,"dispose":1,"check":1}}]}""", "categories[0] (01): every deadline must be a positive number of minutes")]
    [InlineData("""{"categories":[{"code":"01","major":"m","name":"n","urgency":"Whenever","normal":{"register":1,"dispatch":1,"dispose":1,"check":1},"emergency":{"register":1,"dispatch":1,"dispose":1,"check":1}}]}""", "not valid case category JSON at $.categories[0].urgency")]
    public void A_bad_catalogue_is_refused_with_the_entry_and_field_at_fault(string json, string message)
    {
        var error = Assert.Throws<InvalidDataException>(() => CaseCategoryCatalogue.Load(Json(json), "mine.json"));

        Assert.Contains(message, error.Message);
        Assert.StartsWith("mine.json", error.Message);
    }

    [Fact]
    public void Sensor_rules_whose_thresholds_do_not_rise_are_refused_with_the_kind_and_mode()
    {
        using var shipped = typeof(SensorRulebook).Assembly.GetManifestResourceStream("CityOps.Twin.Grains.sensor-rules.json")!;
        var text = new StreamReader(shipped).ReadToEnd().Replace("\"blue\": 4.3, \"yellow\": 4.6", "\"blue\": 4.7, \"yellow\": 4.6", StringComparison.Ordinal);

        var error = Assert.Throws<InvalidDataException>(() => SensorRulebook.Load(Json(text), "rules.json"));

        Assert.Contains("rules.json: kinds.Tide.emergency: thresholds must rise", error.Message);
    }
}
