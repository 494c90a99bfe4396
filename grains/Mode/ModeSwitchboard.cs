using CityOps.Twin.Contracts.City;
using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Contracts.Signs;
using CityOps.Twin.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CityOps.Twin.Grains.Mode;

/// <summary>
/// The one way the city's mode is switched: the commander is checked against the roster, the districts against
/// the city, the switch is recorded durably by the city's mode grain, and then every sensor of the city is told
/// which rules it works by now, so a switch is in force everywhere before it is acknowledged.
/// </summary>
public sealed class ModeSwitchboard(ICityDirectory city, IClusterClient client, IOptions<SwitchoverOptions> options, ILogger<ModeSwitchboard> logger) : IModeSwitchboard
{
    private ModeProposal? _proposal;

    public ModeProposal? Proposal => Volatile.Read(ref _proposal);

    public event Action? ProposalChanged;

    /// <summary>Sets (or with null withdraws) the twin's proposal; the view shows it for a commander to confirm.</summary>
    public void Propose(ModeProposal? proposal)
    {
        var previous = Interlocked.Exchange(ref _proposal, proposal);
        if (previous?.Kind != proposal?.Kind || previous?.Level != proposal?.Level)
        {
            if (proposal is not null)
            {
                logger.LogWarning("The twin proposes {Kind} emergency level {Level}: {Why}", proposal.Kind, proposal.Level, proposal.Why);
            }
            ProposalChanged?.Invoke();
        }
    }

    // Sensors told at once: the whole demo city in well under a second, without flooding the thread pool.
    private const int Parallelism = 64;

    public async Task<ModeChange> SwitchAsync(ModeSwitch request)
    {
        var commander = request.By?.Trim() ?? string.Empty;
        if (!options.Value.Commanders.Contains(commander, StringComparer.Ordinal))
        {
            throw new ModeSwitchException($"Mode switch refused: '{commander}' is not a commander on the roster; only commanders may switch the city's mode.");
        }
        var unknown = request.Districts.Where(d => !city.Areas.TryGetValue(d, out var area) || area.Level != AreaLevel.District).ToList();
        if (unknown.Count > 0)
        {
            throw new ModeSwitchException($"Mode switch refused: {string.Join(", ", unknown.Select(d => $"'{d}'"))} is not a district of the city.");
        }

        var covered = request.Districts.Count == 0 ? [] : GridsOf(request.Districts);
        var modeGrain = client.GetGrain<ICityModeGrain>(ICityModeGrain.CityKey);
        var change = await modeGrain.Switch(request with { By = commander }, covered);
        await BroadcastAsync(modeGrain);
        Propose(null);
        logger.LogWarning("City mode switched from {From} to {To} by {By}: {Reason}", Describe(change.From), Describe(change.To), change.To.ChangedBy, change.Reason);
        return change;
    }

    public async Task<string?> DispatchTargetAsync(string gridCode)
    {
        var modeGrain = client.GetGrain<ICityModeGrain>(ICityModeGrain.CityKey);
        if (await modeGrain.GetModeFor(gridCode) == OperatingMode.Emergency
            && (await modeGrain.GetMode()).Kind is { } kind && options.Value.DispatchTargets.TryGetValue(kind, out var team))
        {
            return team;
        }
        return city.Areas.TryGetValue(gridCode, out var grid) ? grid.Team : null;
    }

    /// <summary>Tells every sensor the rules of its grid. (A sensor activated later reads them from the mode grain itself.)</summary>
    public async Task BroadcastAsync(ICityModeGrain? modeGrain = null, CancellationToken cancellationToken = default)
    {
        modeGrain ??= client.GetGrain<ICityModeGrain>(ICityModeGrain.CityKey);
        await Parallel.ForEachAsync(city.Sensors.Values, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (sensor, _) =>
            await client.GetGrain<ISensorGrain>(sensor.SensorId).ApplyMode(await modeGrain.GetModeFor(sensor.GridCode)));
    }

    private List<string> GridsOf(IReadOnlyList<string> districts)
    {
        var streets = city.Areas.Values.Where(a => a.Level == AreaLevel.Street && districts.Contains(a.ParentCode!)).Select(a => a.Code).ToHashSet(StringComparer.Ordinal);
        return [.. city.Areas.Values.Where(a => a.Level == AreaLevel.Grid && streets.Contains(a.ParentCode!)).Select(a => a.Code)];
    }

    private static string Describe(CityMode mode) => mode.IsEmergency
        ? $"emergency {mode.Kind} level {mode.Level}{(mode.IsCityWide ? " city-wide" : $" in {string.Join(", ", mode.Districts)}")}"
        : "normal";
}
