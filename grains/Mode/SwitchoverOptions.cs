using CityOps.Twin.Contracts.Mode;

namespace CityOps.Twin.Grains.Mode;

/// <summary>When the twin proposes a switch, and where cases go in an emergency (configuration section "Switchover").</summary>
public sealed class SwitchoverOptions
{
    /// <summary>
    /// The city's flood index below which the twin proposes each response level. The index is 100 when dry; these
    /// defaults propose level IV when about a fifth of the city's flood sensors stand in blue-to-yellow alarm and
    /// level I when most are red. A commander always confirms.
    /// </summary>
    public Dictionary<ResponseLevel, double> ProposeBelow { get; set; } = new()
    {
        [ResponseLevel.IV] = 85,
        [ResponseLevel.III] = 70,
        [ResponseLevel.II] = 55,
        [ResponseLevel.I] = 40,
    };

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
