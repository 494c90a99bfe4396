using System.Globalization;
using System.Net.Http.Json;
using CityOps.Twin.Contracts.Cases;
using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Grains.Sensors;
using CityOps.Twin.Silo.Api;
using CityOps.Twin.Tests.Shared;

namespace CityOps.Twin.Cluster.Tests.Support;

/// <summary>The requests the cluster tests send a silo, as a gateway and the duty desk would.</summary>
internal static class CityRequests
{
    /// <summary>A value well under the kind's first (blue) threshold: a reading that raises no alarm.</summary>
    public static double QuietValue(SensorKind kind) => SensorRulebook.Default.For(kind, OperatingMode.Normal).Blue * 0.5;

    /// <summary>A value past the kind's red threshold and inside its physical range: a reading that raises an alarm.</summary>
    public static double AlarmValue(SensorKind kind)
    {
        var rules = SensorRulebook.Default.For(kind, OperatingMode.Normal);
        return Math.Min(rules.Red * 1.2, (rules.Red + rules.PhysicalMaximum) / 2);
    }

    /// <summary>A point in a grid of the demo city (the Zhangjiang streets), varied by <paramref name="n"/>.</summary>
    public static (double Longitude, double Latitude) PointOf(int n) => (121.6050 + n % 7 * 0.001, 31.2050 + n % 50 * 0.0005);

    /// <summary>Reports a patrol case of a category at a point; the answer is the case as stored.</summary>
    public static async Task<CaseRecord> ReportAsync(SiloProcess silo, string category, string title, (double Longitude, double Latitude) point, CancellationToken cancellationToken = default)
    {
        var response = await silo.Http.PostAsJsonAsync("/api/cases", new
        {
            title,
            description = "cluster test",
            categoryCode = category,
            source = "Patrol",
            longitude = point.Longitude,
            latitude = point.Latitude,
        }, cancellationToken);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<CaseRecord>(SiloProcess.Json, cancellationToken))!;
    }

    /// <summary>The identifiers of the CAP alerts a silo lists.</summary>
    public static async Task<HashSet<string>> CapAlertsAsync(SiloProcess silo, CancellationToken cancellationToken = default) =>
        [.. (await silo.Http.GetFromJsonAsync<List<CapApi.CapEntry>>("/api/cap/alerts?count=1000", SiloProcess.Json, cancellationToken))!.Select(a => a.Identifier)];

    public static async Task<IngestionResult> IngestAsync(SiloProcess silo, IEnumerable<(string SensorId, DateTimeOffset At, double Value)> readings, CancellationToken cancellationToken = default)
    {
        var body = new
        {
            readings = readings.Select(r => new { sensorId = r.SensorId, measuredAt = r.At.ToString("O", CultureInfo.InvariantCulture), value = r.Value }).ToArray(),
        };
        var response = await silo.Http.PostAsJsonAsync("/api/ingest/readings", body, cancellationToken);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<IngestionResult>(SiloProcess.Json, cancellationToken))!;
    }
}
