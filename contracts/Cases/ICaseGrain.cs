
namespace CityOps.Twin.Contracts.Cases;

/// <summary>
/// A case, keyed by its case id. Every step is durable before it is acknowledged and leaves a timeline entry.
/// Each step's deadline is a durable reminder, so an overdue case is flagged also after a restart.
/// </summary>
public interface ICaseGrain : IGrainWithStringKey
{
    /// <summary>Opens the case. Reporting the same case id again returns it unchanged (one case per alarm episode).</summary>
    Task<CaseRecord> Report(NewCase report);

    /// <exception cref="CaseTransitionException">The step is not allowed from the case's status.</exception>
    /// <exception cref="CaseInputException">The step lacks its reason, team or score.</exception>
    Task<CaseRecord> Act(CaseStep step);

    Task<CaseRecord?> Get();
}
