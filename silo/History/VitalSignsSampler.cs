using CityOps.Twin.Contracts.Signs;
using CityOps.Twin.Silo.City;

namespace CityOps.Twin.Silo.History;

/// <summary>
/// Samples every area's vital signs (city, districts, streets, grids) into the history at a fixed cadence
/// (<see cref="HistoryOptions.SignsInterval"/>, on the silo's clock), each sample stamped with the start of its interval.
/// An area whose indices are what this silo stored last time stores nothing: a calm city costs a few rows an interval,
/// and the API carries the last sample forward. Every silo of a cluster samples; the store keeps one sample per area and
/// time, the last written (the silos read the same grains within moments of each other).
/// </summary>
public sealed class VitalSignsSampler(
    CityRegistry city, CitySeeder seeder, IGrainFactory grains, HistoryWriter writer, HistoryOptions options, TimeProvider time,
    ILogger<VitalSignsSampler> logger) : BackgroundService
{
    /// <summary>Areas read at once: enough to keep both cores busy, few enough not to crowd out ingest.</summary>
    private const int ReadsInFlight = 32;

    private readonly Dictionary<string, (double, double, double, double, double)> _stored = new(StringComparer.Ordinal);
    private long _samples;

    /// <summary>Samples stored by this silo so far.</summary>
    public long Samples => Interlocked.Read(ref _samples);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.WhenAll(seeder.Filed, writer.Ready).WaitAsync(stoppingToken);
        await SampleLoggedAsync(stoppingToken);
        // Later samples are read as their interval starts, so a sample stamped with that start holds the signs of that
        // moment (within the read's duration): the map's time slider shows a moment as it was, not as it was later on.
        var interval = options.SignsInterval.Ticks;
        var now = time.GetUtcNow().UtcTicks;
        await Task.Delay(TimeSpan.FromTicks(interval - now % interval), time, stoppingToken);
        using var timer = new PeriodicTimer(options.SignsInterval, time);
        do
        {
            await SampleLoggedAsync(stoppingToken);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task SampleLoggedAsync(CancellationToken stoppingToken)
    {
        try
        {
            await SampleAsync(stoppingToken);
        }
        catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
        {
            logger.LogWarning("History: the vital signs could not be sampled ({Problem}); the next interval tries again", exception.Message);
        }
    }

    /// <summary>Reads every area's signs now and stores those that changed, stamped with the start of the current interval.</summary>
    public async Task SampleAsync(CancellationToken cancellationToken)
    {
        var interval = options.SignsInterval.Ticks;
        var now = time.GetUtcNow().UtcTicks;
        var at = now - now % interval;
        var samples = new List<SignsSample>();
        await Parallel.ForEachAsync(city.Areas.Values, new ParallelOptions { MaxDegreeOfParallelism = ReadsInFlight, CancellationToken = cancellationToken },
            async (area, _) =>
            {
                var signs = area.Level == AreaLevel.Grid
                    ? await grains.GetGrain<IGridGrain>(area.Code).GetVitalSigns()
                    : await grains.GetGrain<IAreaGrain>(area.Code).GetVitalSigns();
                var values = (signs.Flood, signs.Safety, signs.Infrastructure, signs.CaseHandling, signs.Composite);
                lock (samples)
                {
                    if (_stored.TryGetValue(area.Code, out var last) && last == values)
                    {
                        return;
                    }
                    _stored[area.Code] = values;
                    samples.Add(new SignsSample(area.Code, at, signs.Flood, signs.Safety, signs.Infrastructure, signs.CaseHandling, signs.Composite));
                }
            });
        try
        {
            await writer.Store.WriteSignsAsync(samples, cancellationToken);
        }
        catch
        {
            // Not stored: the next interval stores them again.
            lock (samples)
            {
                foreach (var sample in samples)
                {
                    _stored.Remove(sample.Code);
                }
            }
            throw;
        }
        Interlocked.Add(ref _samples, samples.Count);
    }
}
