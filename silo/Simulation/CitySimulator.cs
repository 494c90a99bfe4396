using CityOps.Twin.Contracts.Devices;
using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Grains.Sensors;
using CityOps.Twin.Silo.City;
using CityOps.Twin.Silo.Telemetry;
using Microsoft.Extensions.Options;

namespace CityOps.Twin.Silo.Simulation;

/// <summary>
/// Feeds the demo city live: each sensor's value wanders around a normal level for its kind (mean-reverting
/// noise), and now and then a sensor has an excursion into alarm that fades over the following readings;
/// cameras drop out and come back; elevators fault or trap people and are freed. Seeded, so a run can be
/// repeated. It calls the grains as the ingestion API does, after the city is filed.
/// </summary>
public sealed class CitySimulator(
    CityRegistry city,
    CitySeeder seeder,
    IClusterClient client,
    SensorRulebook rules,
    TimeProvider time,
    IOptions<SimulationOptions> options,
    IngestionMeter meter,
    ILogger<CitySimulator> logger) : BackgroundService
{
    private const double Reversion = 0.85;

    // Chances per reading: a sensor starts an excursion towards red; a camera changes state; an elevator changes state.
    private const double ExcursionChance = 0.002;
    private const double CameraChance = 0.002;
    private const double ElevatorChance = 0.001;

    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(100);

    private readonly Lock _lock = new();
    private readonly List<(long Count, TaskCompletionSource Reached)> _waiters = [];
    private long _applied;

    // Readings of the batch under way that their sensors applied, for the ingestion meter.
    private int _recorded;

    /// <summary>Sensor readings the simulator has had applied so far.</summary>
    public long ReadingsApplied => Interlocked.Read(ref _applied);

    /// <summary>Completes once <paramref name="count"/> readings have been applied.</summary>
    public Task WhenReadingsAppliedAsync(long count)
    {
        lock (_lock)
        {
            if (_applied >= count)
            {
                return Task.CompletedTask;
            }
            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, reached));
            return reached.Task;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var rate = options.Value.ReadingsPerSecond;
        if (rate <= 0)
        {
            return;
        }
        await seeder.Filed.WaitAsync(stoppingToken);

        var random = new Random(options.Value.Seed);
        var sensors = city.City.Sensors.ToArray();
        var values = sensors.Select(s => Normal(s.Kind)).ToArray();
        var excursions = new double[sensors.Length];
        var cameras = city.City.Cameras.ToArray();
        var elevators = city.City.Elevators.ToArray();
        var owed = 0.0;
        logger.LogInformation("Simulating {Rate} readings/s over {Sensors} sensors (seed {Seed})", rate, sensors.Length, options.Value.Seed);

        using var timer = new PeriodicTimer(Tick, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            owed += rate * Tick.TotalSeconds;
            var batch = (int)owed;
            owed -= batch;
            var now = time.GetUtcNow();
            var calls = new List<Task>(batch);
            for (var n = 0; n < batch; n++)
            {
                var i = random.Next(sensors.Length);
                var sensor = sensors[i];
                var thresholds = rules.For(sensor.Kind, OperatingMode.Normal);
                if (random.NextDouble() < ExcursionChance)
                {
                    excursions[i] = thresholds.Yellow + random.NextDouble() * (thresholds.Red - thresholds.Yellow) * 1.2 - Normal(sensor.Kind);
                }
                excursions[i] *= 0.9;
                var noise = (random.NextDouble() - 0.5) * (thresholds.Blue - Normal(sensor.Kind)) * 0.2;
                values[i] = Normal(sensor.Kind) + Reversion * (values[i] - Normal(sensor.Kind)) + noise;
                var value = Math.Clamp(values[i] + excursions[i], thresholds.PhysicalMinimum, thresholds.PhysicalMaximum);
                calls.Add(Record(sensor.SensorId, now, Math.Round(value, 3)));

                if (random.NextDouble() < CameraChance)
                {
                    var camera = cameras[random.Next(cameras.Length)];
                    calls.Add(Safely(() => client.GetGrain<ICameraGrain>(camera.CameraId).SetOnline(random.NextDouble() < 0.7, now)));
                }
                if (random.NextDouble() < ElevatorChance)
                {
                    var elevator = elevators[random.Next(elevators.Length)];
                    var status = (ElevatorStatus)random.Next(4);
                    calls.Add(Safely(() => client.GetGrain<IElevatorGrain>(elevator.ElevatorId).SetStatus(status, now, "simulator")));
                }
            }
            await Task.WhenAll(calls);
            Applied(batch);
            meter.ReadingsAccepted(Interlocked.Exchange(ref _recorded, 0), IngestionMeter.FromSimulator);
        }
    }

    private void Applied(int readings)
    {
        lock (_lock)
        {
            _applied += readings;
            foreach (var waiter in _waiters.Where(w => w.Count <= _applied).ToList())
            {
                waiter.Reached.TrySetResult();
                _waiters.Remove(waiter);
            }
        }
    }

    private Task Record(string sensorId, DateTimeOffset at, double value) => Safely(async () =>
    {
        if (await client.GetGrain<ISensorGrain>(sensorId).Record(new SensorReading(sensorId, at, value)) == ReadingOutcome.Applied)
        {
            Interlocked.Increment(ref _recorded);
        }
    });

    private async Task Safely(Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            logger.LogWarning(exception, "A simulated event was refused");
        }
    }

    /// <summary>A sensor kind's ordinary level, well below blue.</summary>
    private double Normal(SensorKind kind)
    {
        var thresholds = rules.For(kind, OperatingMode.Normal);
        return Math.Max(thresholds.PhysicalMinimum, thresholds.Blue - (thresholds.Red - thresholds.Blue));
    }
}
