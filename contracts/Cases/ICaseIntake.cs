using CityOps.Twin.Contracts.Geo;

namespace CityOps.Twin.Contracts.Cases;

/// <summary>
/// A case reported by a person at a point: what, of which category, from which source, by whom; a hotline
/// request may carry its own reference, its own disposal deadline and the address the caller gave.
/// </summary>
public sealed record CaseReport(
    string Title,
    string Description,
    string CategoryCode,
    CaseSource Source,
    GeoPoint Position,
    string ReportedBy,
    string? ExternalReference = null,
    DateTimeOffset? DisposalDueOverride = null,
    string? Address = null);

/// <summary>
/// Opens cases reported by people (the case API, Open311 and the twin view's incident panel): finds the grid and
/// gives the id ("H-" for the 12345 hotline, "C-" otherwise, then the Shanghai date).
/// </summary>
public interface ICaseIntake
{
    /// <summary>The categories a case may be reported under, in catalogue order.</summary>
    IReadOnlyList<CaseCategory> Categories { get; }

    /// <exception cref="CaseInputException">The point is invalid or in no grid, or the report lacks what it needs; the message says which.</exception>
    Task<CaseRecord> ReportAsync(CaseReport report);
}
