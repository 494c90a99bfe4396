using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Contracts.Signs;
using CityOps.Twin.Silo.City;
using CityOps.Twin.Web.Live;
using CityOps.Twin.Web.Signs;

namespace CityOps.Twin.Silo.History;

/// <summary>
/// The city at a past moment from its history (the map's time slider and GET /api/history/state): every grid's index
/// as of its latest sample at or before the moment, the sensors whose last alarm change at or before it left them in
/// alarm, and the last mode switch. Three queries, each a probe an area or sensor of an index (HistoryStore).
/// </summary>
public sealed class CityPast(HistoryWriter writer, CityRegistry city) : ICityPast
{
    /// <summary>How long a read waits for the history's tables to be installed before it says the history is not ready.</summary>
    private static readonly TimeSpan ReadyWait = TimeSpan.FromSeconds(5);

    private readonly string[] _grids = [.. city.Areas.Values.Where(a => a.Level == AreaLevel.Grid).Select(a => a.Code).Order(StringComparer.Ordinal)];
    private readonly string[] _sensors = [.. city.Sensors.Keys.Order(StringComparer.Ordinal)];

    /// <summary>The city's grids, each asked for at every moment.</summary>
    public int GridCount => _grids.Length;

    public Task<CityMoment> AtAsync(DateTimeOffset at, SignIndex index, CancellationToken cancellationToken) =>
        AtAsync(at, Enum.Parse<SignsIndex>(index.ToString()), cancellationToken);

    public async Task<CityMoment> AtAsync(DateTimeOffset at, SignsIndex index, CancellationToken cancellationToken)
    {
        try
        {
            await writer.Ready.WaitAsync(ReadyWait, cancellationToken);
        }
        catch (TimeoutException exception)
        {
            throw new CityPastUnavailableException(
                $"The history in {writer.Store.Describe()} is not ready yet ({writer.Failing ?? "installing its tables"}).", exception);
        }
        var store = writer.Store;
        var ticks = at.UtcTicks;
        try
        {
            var values = await store.AreaValuesAtAsync(_grids, index, ticks, cancellationToken);
            var alarms = await store.AlarmLevelsAtAsync(_sensors, ticks, cancellationToken);
            var mode = await store.ModeAtAsync(ticks, cancellationToken);
            return new CityMoment(
                at,
                values.ToDictionary(v => v.Code, v => new GridThen(v.Value, Utc(v.SampledAtTicks).ToOffset(at.Offset)), StringComparer.Ordinal),
                [.. alarms
                    .Select(a => new AlarmThen(a.SensorId, Enum.TryParse<AlarmLevel>(a.Level, out var level) ? level : AlarmLevel.None, Utc(a.SinceTicks).ToOffset(at.Offset), a.GridCode))
                    .Where(a => a.Level != AlarmLevel.None)],
                mode?.To,
                mode is null ? null : Utc(mode.AtTicks).ToOffset(at.Offset));
        }
        catch (System.Data.Common.DbException exception)
        {
            throw new CityPastUnavailableException($"The history in {store.Describe()} could not be read: {exception.Message}", exception);
        }
    }

    private static DateTimeOffset Utc(long ticks) => new(ticks, TimeSpan.Zero);
}
