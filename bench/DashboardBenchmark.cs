using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Grains.Sensors;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Dashboard;

namespace CityOps.Twin.Bench;

/// <summary>
/// What Orleans' dashboard (on every silo, see silo/Hosting/TwinDashboard.cs) costs ingestion: readings per second
/// through the grains, one reading a call as in the ingest benchmark, in three silos of this process over SQLite,
/// rounds interleaved: without the dashboard; with it but its grain-call filter taken out (--Dashboard:ProfileGrainCalls
/// false); with it and nobody watching (its call filter sees every call, its profiler is off); and with it profiling
/// every call, as while an Admin has the dashboard open (and a minute after).
/// </summary>
internal static class DashboardBenchmark
{
    public static async Task RunAsync(bool quick)
    {
        var sensors = quick ? 2_000 : 20_000;
        var passes = quick ? 2 : 10;
        var rounds = quick ? 1 : 7;
        var producers = Environment.ProcessorCount * 4;
        var city = new BenchCity(sensors, gridsPerStreet: quick ? 5 : 25);
        var workload = new ReadingWorkload(city, SensorRulebook.Default, alarmEvery: quick ? 500 : 20_000);

        using var folder = new TempFolder();
        await using var plain = await BenchTwin.StartAsync(city, BenchTwin.OnSqlite(Path.Combine(folder.Path, "plain.db")));
        await using var unfiltered = await BenchTwin.StartAsync(city, WithDashboard(Path.Combine(folder.Path, "unfiltered.db"), profileGrainCalls: false));
        await using var idle = await BenchTwin.StartAsync(city, WithDashboard(Path.Combine(folder.Path, "idle.db"), profileGrainCalls: true));
        await using var profiling = await BenchTwin.StartAsync(city, WithDashboard(Path.Combine(folder.Path, "profiling.db"), profileGrainCalls: true),
            services => services.Configure<GrainProfilerOptions>(profiler => profiler.TraceAlways = true));

        var variants = new[] { ("without", plain), ("unfiltered", unfiltered), ("idle", idle), ("profiling", profiling) }.Select(v =>
        {
            var grains = city.SensorFiles.Select(s => v.Item2.Grains.GetGrain<ISensorGrain>(s.SensorId)).ToArray();
            long pass = 1;
            return (v.Item1, (Func<Task<long>>)(async () =>
            {
                var first = pass;
                pass += passes;
                return await IngestBenchmark.ApplyThroughGrainsAsync(grains, workload, first, passes, producers);
            }));
        }).ToArray();
        var rates = await Measurement.MedianRatesAsync(rounds, variants);

        // Every silo took the same readings (a warm-up and each round): each must hold what baseline A computes from them.
        var expected = new ArrayTwin(workload, plain.Calculator.Weights);
        expected.Apply(1, (rounds + 1) * passes);
        foreach (var twin in new[] { plain, unfiltered, idle, profiling })
        {
            await IngestBenchmark.VerifyAsync(twin, expected, workload);
        }

        Measurement.Report("dashboard.without", rates["without"], "readings/s (one reading a call)");
        Measurement.Report("dashboard.without_call_filter", rates["unfiltered"], "readings/s (dashboard, its grain-call filter taken out: --Dashboard:ProfileGrainCalls false)");
        Measurement.Report("dashboard.idle", rates["idle"], "readings/s (dashboard on every silo, nobody watching)");
        Measurement.Report("dashboard.profiling", rates["profiling"], "readings/s (dashboard open: every call profiled)");
        Measurement.Ratio("dashboard.without_call_filter/without", rates["unfiltered"], rates["without"]);
        Measurement.Ratio("dashboard.idle/without", rates["idle"], rates["without"]);
        Measurement.Ratio("dashboard.profiling/without", rates["profiling"], rates["without"]);
    }

    private static Action<ISiloBuilder> WithDashboard(string path, bool profileGrainCalls) => silo =>
    {
        BenchTwin.OnSqlite(path)(silo);
        Silo.Hosting.TwinDashboard.AddTwinDashboard(silo, profileGrainCalls);
    };
}
