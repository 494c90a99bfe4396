using CityOps.Twin.Contracts;
using CityOps.Twin.Contracts.Live;
using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Contracts.Signs;
using CityOps.Twin.Grains.Mode;
using Microsoft.Extensions.Options;

namespace CityOps.Twin.Silo.Mode;

/// <summary>
/// Watches the city's flood index and proposes a flood emergency (or a higher level of one) when it falls below a
/// configured level; withdraws the proposal when the index recovers. It only proposes: a commander switches.
/// </summary>
public sealed class SwitchProposer(CityModeCache modes, ModeSwitchboard switchboard, IOptions<SwitchoverOptions> options) : ITwinChangeListener
{
    /// <summary>Hears the city's vital signs as the silo's feed delivers them; the mode is the silo's cache's, so nothing waits on a grain.</summary>
    public void OnChanges(TwinChanges changes)
    {
        foreach (var signs in changes.Signs)
        {
            if (signs.Code == IAreaGrain.CityCode)
            {
                OnCitySigns(signs);
            }
        }
    }

    private void OnCitySigns(VitalSigns signs)
    {
        var level = LevelFor(signs.Flood);
        if (level is null)
        {
            switchboard.Propose(null);
            return;
        }
        var mode = modes.Current.Mode;
        // Levels run IV (4) to I (1): propose only what is more severe than the response already running.
        var alreadyCovered = mode.IsEmergency && mode.IsCityWide && mode.Kind == EmergencyKind.Flood && mode.Level <= level;
        switchboard.Propose(alreadyCovered ? null : new ModeProposal(EmergencyKind.Flood, level.Value, signs.Flood,
            FormattableString.Invariant($"全市防汛指数 {signs.Flood:0.0}，低于 {options.Value.ProposeBelow[level.Value]:0}"), signs.At));
    }

    private ResponseLevel? LevelFor(double flood) => options.Value.ProposeBelow
        .Where(p => flood < p.Value)
        .OrderBy(p => (int)p.Key)
        .Select(p => (ResponseLevel?)p.Key)
        .FirstOrDefault();
}
