using CityOps.Twin.Contracts.Cases;
using CityOps.Twin.Contracts.Geo;
using CityOps.Twin.Grains.Cases;

namespace CityOps.Twin.Silo.City;

/// <summary>Cases reported by people, from the case API and the twin view: the grid comes from the point, the id from the date.</summary>
public sealed class CaseIntake(CityRegistry city, IClusterClient client, CaseCategoryCatalogue catalogue, TimeProvider time) : ICaseIntake
{
    public IReadOnlyList<CaseCategory> Categories => catalogue.Categories;

    public async Task<CaseRecord> ReportAsync(CaseReport report)
    {
        if (city.GridAt(report.Position) is not { } grid)
        {
            throw new CaseInputException(PositionProblem(report.Position) + ".");
        }
        var prefix = report.Source == CaseSource.Hotline12345 ? "H" : "C";
        var id = $"{prefix}-{time.GetUtcNow().ToOffset(TimeSpan.FromHours(8)):yyyyMMdd}-{Guid.NewGuid().ToString("N")[..8]}";
        return await client.GetGrain<ICaseGrain>(id).Report(new NewCase(
            report.Title, report.Description, report.CategoryCode, report.Source, report.Position, grid, report.ReportedBy,
            report.ExternalReference, report.DisposalDueOverride, report.Address));
    }

    /// <summary>
    /// What is wrong with a point in no grid, latitude first as people read it: a value that is no latitude or
    /// longitude, or a point outside every grid's polygon. Latitude and longitude given the wrong way round is the
    /// commonest slip, so when the point swapped is in the city the answer says so.
    /// </summary>
    private string PositionProblem(GeoPoint point)
    {
        static string? Problem(string name, double value, double limit) =>
            double.IsNaN(value) ? $"{name} is missing or not a number"
            : double.IsInfinity(value) ? $"{name} is not a finite number"
            : Math.Abs(value) > limit ? FormattableString.Invariant($"{name} {value} is outside -{limit}..{limit}")
            : null;
        var problem = Problem("lat", point.Latitude, 90) ?? Problem("long", point.Longitude, 180) ?? $"{point.ToLatLongString()} is in no grid of the city";
        var swapped = new GeoPoint(point.Latitude, point.Longitude);
        return swapped.IsValid && city.GridAt(swapped) is not null
            ? $"{problem}; lat and long look swapped: {swapped.ToLatLongString()} is in the city"
            : problem;
    }
}
