using CityOps.Twin.Contracts.Mode;

namespace CityOps.Twin.Silo.Mode;

/// <summary>Who may switch the city's mode, and where cases go in an emergency (configuration section "Switchover").</summary>
public sealed class SwitchoverOptions
{
    /// <summary>
    /// The commanders allowed to switch, by name. Until the view has sign-in (the security issue), a switch names
    /// its commander and the name must be on this roster.
    /// </summary>
    public List<string> Commanders { get; set; } = ["指挥长", "值班长"];

    /// <summary>
    /// In an emergency of each kind, cases are dispatched by default to this team of their district instead of
    /// the grid's own team, as Shanghai's flood-control plans put 抢险队 under the district's flood office.
    /// </summary>
    public Dictionary<EmergencyKind, string> DispatchTargets { get; set; } = new()
    {
        [EmergencyKind.Flood] = "区防汛抢险队",
        [EmergencyKind.Typhoon] = "区防台抢险队",
    };
}
