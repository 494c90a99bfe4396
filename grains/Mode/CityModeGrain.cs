using CityOps.Twin.Contracts;
using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Grains.Alerts;
using CityOps.Twin.Grains.History;
using CityOps.Twin.Grains.Live;

namespace CityOps.Twin.Grains.Mode;

/// <summary>
/// Holds the city's mode durably, with the grids an emergency covers and the audit of every switch. A city that
/// has never switched is in normal mode since the grain's first activation. A switch is written before it is
/// acknowledged and then published, so what any grain or view learns is already durable. The history is the truth of
/// the switches' CAP alerts: each switch is journaled once written, and the whole history again at activation.
/// </summary>
public sealed class CityModeGrain(
    [PersistentState("mode", TwinGrains.Storage)] IPersistentState<CityModeState> state,
    IAlertJournal journal,
    IHistoryAppender history,
    TimeProvider time) : Grain, ICityModeGrain
{
    private HashSet<string> _covered = [];

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (!state.RecordExists)
        {
            state.State.Mode = CityMode.Normal(time.GetUtcNow(), "system");
            try
            {
                await state.WriteStateAsync();
            }
            catch (Orleans.Storage.InconsistentStateException)
            {
                // Another silo over the same database wrote the first mode in between: that one stands.
                await state.ReadStateAsync();
            }
        }
        _covered = [.. state.State.CoveredGrids];
        // A switch written by a silo that died before journaling it is journaled here; the rest are kept once already.
        if (state.State.History.Count > 0)
        {
            await journal.RecordSwitchesAsync(state.State.History);
        }
    }

    public Task<CityMode> GetMode() => Task.FromResult(state.State.Mode!);

    public Task<ModeInForce> GetModeInForce() => Task.FromResult(new ModeInForce(state.State.Mode!, state.State.CoveredGrids.ToList()));

    public Task<OperatingMode> GetModeFor(string gridCode) => Task.FromResult(
        state.State.Mode!.IsEmergency && (_covered.Count == 0 || _covered.Contains(gridCode)) ? OperatingMode.Emergency : OperatingMode.Normal);

    public async Task<ModeChange> Switch(ModeSwitch request, IReadOnlyList<string> coveredGrids)
    {
        Require(!string.IsNullOrWhiteSpace(request.By), "a switch needs the name of the commander who makes it");
        Require(!string.IsNullOrWhiteSpace(request.Reason), "a switch needs its reason");
        if (request.To == OperatingMode.Emergency)
        {
            Require(request.Kind is not null, "an emergency needs its kind (flood, typhoon...)");
            Require(request.Level is not null && Enum.IsDefined(request.Level.Value), "an emergency needs a response level from IV to I");
            Require(request.Districts.Count == 0 || coveredGrids.Count > 0, "the districts of an emergency must hold grids");
        }
        else
        {
            Require(request.Kind is null && request.Level is null && request.Districts.Count == 0, "normal operations have no kind, level or districts");
        }

        var from = state.State.Mode!;
        var now = time.GetUtcNow();
        var to = request.To == OperatingMode.Emergency
            ? new CityMode(OperatingMode.Emergency, request.Kind, request.Level, [.. request.Districts.Order(StringComparer.Ordinal)], now, request.By.Trim())
            : CityMode.Normal(now, request.By.Trim());
        Require(!(from.Operating == to.Operating && from.Kind == to.Kind && from.Level == to.Level && from.Districts.SequenceEqual(to.Districts)),
            $"the city is already in that mode (since {from.Since:u}, set by {from.ChangedBy})");

        var change = new ModeChange(from, to, request.Reason.Trim(), now);
        state.State.Mode = to;
        state.State.CoveredGrids = to.IsEmergency ? [.. coveredGrids] : [];
        state.State.History.Add(change);
        await state.WriteStateAsync();
        _covered = [.. state.State.CoveredGrids];
        history.Event(new HistoryEvent(now, HistoryEventKind.Mode, ICityModeGrain.CityKey, null, Describe(from), Describe(to), Actor: to.ChangedBy, Note: change.Reason));
        try
        {
            await journal.RecordSwitchesAsync([change]);
        }
        catch
        {
            // The switch stands (it is written); the next activation journals it from the history.
            DeactivateOnIdle();
            throw;
        }
        await TwinPublish.ModeAsync(GrainFactory, change);
        return change;
    }

    public Task<IReadOnlyList<ModeChange>> GetHistory() => Task.FromResult<IReadOnlyList<ModeChange>>(state.State.History.ToList());

    /// <summary>A mode as the history's events name it: Normal, or Emergency Flood III [310115 310104].</summary>
    private static string Describe(CityMode mode) => mode.IsEmergency
        ? $"Emergency {mode.Kind} {mode.Level}{(mode.IsCityWide ? string.Empty : $" [{string.Join(' ', mode.Districts)}]")}"
        : "Normal";

    private static void Require(bool condition, string problem)
    {
        if (!condition)
        {
            throw new ModeSwitchException($"Mode switch refused: {problem}.");
        }
    }
}

public sealed class CityModeState
{
    public CityMode? Mode { get; set; }

    /// <summary>The grids the emergency covers; empty when it is city-wide (or the city is in normal mode).</summary>
    public List<string> CoveredGrids { get; set; } = [];

    public List<ModeChange> History { get; set; } = [];
}
