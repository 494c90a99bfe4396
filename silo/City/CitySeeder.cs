using System.Diagnostics;
using CityOps.Twin.Contracts.City;
using CityOps.Twin.Contracts.Signs;

namespace CityOps.Twin.Silo.City;

/// <summary>
/// Files the city into the grains in the background once the silo has started: areas from the top down, then
/// every device. The silo serves meanwhile; its health says the city is being filed. A city already filed
/// (same fingerprint) is left as it is, so a restart keeps every alarm, case and status.
/// </summary>
public sealed class CitySeeder(CityRegistry registry, IClusterClient client, IHostApplicationLifetime lifetime, ILogger<CitySeeder> logger) : BackgroundService
{
    private readonly TaskCompletionSource _filed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _done;
    private int _total;

    /// <summary>Completes when the whole city is in the grains.</summary>
    public Task Filed => _filed.Task;

    public (int Done, int Total) Progress => (Volatile.Read(ref _done), Volatile.Read(ref _total));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The runtime is a hosted service too; filing waits until every one of them has started.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        await started.Task.WaitAsync(stoppingToken);
        try
        {
            await FileAsync(stoppingToken);
            _filed.TrySetResult();
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            _filed.TrySetCanceled(stoppingToken);
        }
        catch (Exception exception)
        {
            logger.LogError(exception, "Filing the city failed");
            _filed.TrySetException(exception);
        }
    }

    private async Task FileAsync(CancellationToken cancellationToken)
    {
        var city = registry.City;
        var fingerprint = city.Fingerprint();
        var import = client.GetGrain<ICityImportGrain>("city");
        if (await import.GetFingerprint() == fingerprint)
        {
            logger.LogInformation("City {City} already filed ({Grids} grids); keeping its live state", city.Name, city.Grids.Count());
            return;
        }

        var started = Stopwatch.GetTimestamp();
        Volatile.Write(ref _total, CityFiler.Count(city));
        await CityFiler.FileAsync(city, client, () => Interlocked.Increment(ref _done), cancellationToken);

        await import.SetFingerprint(fingerprint);
        logger.LogInformation("Filed city {City}: {Grids} grids, {Sensors} sensors, {Cameras} cameras, {Elevators} elevators in {Seconds:0.0} s",
            city.Name, city.Grids.Count(), city.Sensors.Count, city.Cameras.Count, city.Elevators.Count, Stopwatch.GetElapsedTime(started).TotalSeconds);
    }
}
