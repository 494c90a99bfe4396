using CityOps.Twin.Contracts.City;
using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Contracts.Signs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CityOps.Twin.Grains.Mode;

/// <summary>
/// The one way the city's mode is switched: the districts are checked against the city, the switch is recorded
/// durably by the city's mode grain, put in force in every silo's mode cache (where sensors activating later and
/// cases taking a step read it), and then every sensor of the city is told which rules it works by now, so a switch
/// is in force everywhere before it is acknowledged.
/// </summary>
public sealed class ModeSwitchboard(ICityDirectory city, IGrainFactory client, CityModeCache modes, IOptions<SwitchoverOptions> options, ILogger<ModeSwitchboard> logger) : IModeSwitchboard
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

    public async Task<ModeChange> SwitchAsync(ModeSwitch request)
    {
        var commander = request.By?.Trim() ?? string.Empty;
        // Who may switch is the Commander role, checked by the silo before it asks (ITwinCommands); the switch names them.
        if (commander.Length == 0)
        {
            throw new ModeSwitchException("Mode switch refused: the switch does not name the commander who makes it.");
        }
        var unknown = request.Districts.Where(d => !city.Areas.TryGetValue(d, out var area) || area.Level != AreaLevel.District).ToList();
        if (unknown.Count > 0)
        {
            throw new ModeSwitchException($"Mode switch refused: {string.Join(", ", unknown.Select(d => $"'{d}'"))} is not a district of the city.");
        }

        var covered = request.Districts.Count == 0 ? [] : GridsOf(request.Districts);
        var modeGrain = client.GetGrain<ICityModeGrain>(ICityModeGrain.CityKey);
        var change = await modeGrain.Switch(request with { By = commander }, covered);
        await ModeBroadcast.InForceEverywhereAsync(client, new ModeInForce(change.To, change.To.IsEmergency ? covered : []));
        await BroadcastAsync(modeGrain);
        Propose(null);
        logger.LogWarning("City mode switched from {From} to {To} by {By}: {Reason}", Describe(change.From), Describe(change.To), change.To.ChangedBy, change.Reason);
        return change;
    }

    public Task<string?> DispatchTargetAsync(string gridCode)
    {
        if (modes.For(gridCode) == OperatingMode.Emergency
            && modes.Current.Mode.Kind is { } kind && options.Value.DispatchTargets.TryGetValue(kind, out var team))
        {
            return Task.FromResult<string?>(team);
        }
        return Task.FromResult(city.Areas.TryGetValue(gridCode, out var grid) ? grid.Team : null);
    }

    /// <summary>
    /// Tells every sensor the rules of its grid. The mode of each grid follows from the mode grain's one answer,
    /// so the fan-out is one call a sensor: a few callers each walk their share of the sensors and keep up to
    /// <see cref="InFlight"/> calls going (most return at once; a sensor whose level changes writes its alarm
    /// and opens its case meanwhile). A sensor activated later reads its rules from its silo's mode cache.
    /// </summary>
    public async Task BroadcastAsync(ICityModeGrain? modeGrain = null, CancellationToken cancellationToken = default)
    {
        modeGrain ??= client.GetGrain<ICityModeGrain>(ICityModeGrain.CityKey);
        var mode = await modeGrain.GetMode();
        var covered = mode.IsEmergency && !mode.IsCityWide ? GridsOf(mode.Districts).ToHashSet(StringComparer.Ordinal) : null;
        OperatingMode ModeOf(string grid) => mode.IsEmergency && (covered is null || covered.Contains(grid)) ? OperatingMode.Emergency : OperatingMode.Normal;

        var sensors = SensorReferences();
        var callers = Math.Max(2, Environment.ProcessorCount * 2);
        await Task.WhenAll(Enumerable.Range(0, callers).Select(c => Task.Run(async () =>
        {
            var waiting = new List<Task>(InFlight);
            for (var i = c; i < sensors.Length; i += callers)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var call = sensors[i].Grain.ApplyMode(ModeOf(sensors[i].GridCode));
                if (!call.IsCompleted)
                {
                    waiting.Add(call);
                }
                else if (call.IsFaulted)
                {
                    await call;
                }
                if (waiting.Count == InFlight)
                {
                    await Task.WhenAll(waiting);
                    waiting.Clear();
                }
            }
            await Task.WhenAll(waiting);
        }, cancellationToken)));
    }

    private const int InFlight = 256;

    // The sensors' references, made once per city (a reference remembers its activation, so a call skips the lookup).
    private sealed record SensorReferenceCache(IReadOnlyDictionary<string, SensorFile> City, (string GridCode, ISensorGrain Grain)[] Sensors);

    private SensorReferenceCache? _references;

    private (string GridCode, ISensorGrain Grain)[] SensorReferences()
    {
        var sensors = city.Sensors;
        if (Volatile.Read(ref _references) is { } cached && ReferenceEquals(cached.City, sensors))
        {
            return cached.Sensors;
        }
        var references = sensors.Values.Select(s => (s.GridCode, client.GetGrain<ISensorGrain>(s.SensorId))).ToArray();
        Volatile.Write(ref _references, new SensorReferenceCache(sensors, references));
        return references;
    }

    private List<string> GridsOf(IReadOnlyCollection<string> districts)
    {
        var streets = city.Areas.Values.Where(a => a.Level == AreaLevel.Street && districts.Contains(a.ParentCode!)).Select(a => a.Code).ToHashSet(StringComparer.Ordinal);
        return [.. city.Areas.Values.Where(a => a.Level == AreaLevel.Grid && streets.Contains(a.ParentCode!)).Select(a => a.Code)];
    }

    private static string Describe(CityMode mode) => mode.IsEmergency
        ? $"emergency {mode.Kind} level {mode.Level}{(mode.IsCityWide ? " city-wide" : $" in {string.Join(", ", mode.Districts)}")}"
        : "normal";
}
