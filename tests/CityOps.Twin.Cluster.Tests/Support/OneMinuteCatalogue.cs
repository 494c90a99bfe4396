using System.Text.Json;
using CityOps.Twin.Contracts.Cases;
using CityOps.Twin.Grains.Cases;

namespace CityOps.Twin.Cluster.Tests.Support;

/// <summary>
/// The shipped case categories plus one whose every step is due in a minute, the shortest deadline the catalogue
/// takes (whole minutes) and Orleans' shortest reminder period: a case whose deadline passes while the test runs.
/// </summary>
internal static class OneMinuteCatalogue
{
    public const string Category = "9901";

    /// <summary>Writes the catalogue to a file in <paramref name="folder"/> and returns its path, for --case-categories.</summary>
    public static string Write(string folder)
    {
        var oneMinute = new StepDeadlines(1, 1, 1, 1);
        var categories = CaseCategoryCatalogue.Default.Categories
            .Append(new CaseCategory(Category, "测试 Test", "一分钟时限 One-minute deadlines", CaseUrgency.Urgent, oneMinute, oneMinute));
        var path = Path.Combine(folder, "case-categories.json");
        File.WriteAllText(path, JsonSerializer.Serialize(new { categories }, new JsonSerializerOptions(JsonSerializerDefaults.Web)));
        return path;
    }
}
