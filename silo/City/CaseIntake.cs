using CityOps.Twin.Contracts.Cases;
using CityOps.Twin.Grains.Cases;

namespace CityOps.Twin.Silo.City;

/// <summary>Cases reported by people, from the case API and the twin view: the grid comes from the point, the id from the date.</summary>
public sealed class CaseIntake(CityRegistry city, IClusterClient client, CaseCategoryCatalogue catalogue, TimeProvider time) : ICaseIntake
{
    public IReadOnlyList<CaseCategory> Categories => catalogue.Categories;

    public async Task<CaseRecord> ReportAsync(CaseReport report)
    {
        if (!report.Position.IsValid)
        {
            throw new CaseInputException("longitude and latitude (WGS84) are required and must be valid.");
        }
        if (city.GridAt(report.Position) is not { } grid)
        {
            throw new CaseInputException($"{report.Position} is in no grid of the city.");
        }
        var prefix = report.Source == CaseSource.Hotline12345 ? "H" : "C";
        var id = $"{prefix}-{time.GetUtcNow().ToOffset(TimeSpan.FromHours(8)):yyyyMMdd}-{Guid.NewGuid().ToString("N")[..8]}";
        return await client.GetGrain<ICaseGrain>(id).Report(new NewCase(
            report.Title, report.Description, report.CategoryCode, report.Source, report.Position, grid, report.ReportedBy,
            report.ExternalReference, report.DisposalDueOverride, report.Address));
    }
}
