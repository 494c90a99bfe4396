using CityOps.Twin.Contracts;
using CityOps.Twin.Contracts.City;
using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Contracts.Signs;
using CityOps.Twin.Grains.Mode;
using Microsoft.Extensions.Options;

namespace CityOps.Twin.Silo.Mode;

/// <summary>
/// Watches the city's flood index and proposes a flood emergency (or a higher level of one) when it falls below a
/// configured level; withdraws the proposal when the index recovers. It only proposes: a commander switches.
/// </summary>
public sealed class SwitchProposer(IClusterClient client, ICityDirectory city, ModeSwitchboard switchboard, IOptions<SwitchoverOptions> options) : BackgroundService
{
    private IAsyncDisposable? _subscription;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await city.Filed.WaitAsync(stoppingToken);
        _subscription = await client.GetStreamProvider(TwinStreams.Provider)
            .GetStream<VitalSigns>(StreamId.Create(TwinStreams.VitalSigns, IAreaGrain.CityCode)).SubscribeAsync(OnCitySignsAsync);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (_subscription is not null)
        {
            await _subscription.DisposeAsync();
        }
    }

    private async Task OnCitySignsAsync(VitalSigns signs)
    {
        var level = LevelFor(signs.Flood);
        if (level is null)
        {
            switchboard.Propose(null);
            return;
        }
        var mode = await client.GetGrain<ICityModeGrain>(ICityModeGrain.CityKey).GetMode();
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
