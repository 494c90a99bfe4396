using CityOps.Twin.Bench.Engine;
using CityOps.Twin.Runtime.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace CityOps.Twin.Bench;

/// <summary>
/// Calls per second through grain references against direct method calls on the same grain objects, and
/// generated references against a DispatchProxy. Callers each own a grain, as the twin's ingestion does:
/// one producer per device. A second figure sends bursts of calls without awaiting each to one grain that
/// all callers share, so the calls wait in its mailbox: the queued path, with its timeout timers.
/// The same trivial calls through a Microsoft Orleans silo in the same run are the engine's floor, the
/// baseline of every grain-path figure once the twin runs on Orleans.
/// </summary>
internal static class CallBenchmark
{
    public static async Task RunAsync(bool quick)
    {
        var callers = quick ? 2 : Environment.ProcessorCount * 4;
        var callsPerCaller = quick ? 1_000 : 200_000;
        var rounds = quick ? 1 : 7;

        await using var services = new ServiceCollection()
            .AddGrainRuntime(b => b.AddGrains(typeof(PingGrain).Assembly))
            .BuildServiceProvider();
        var runtime = services.GetRequiredService<GrainRuntime>();
        await runtime.StartAsync();

        var generated = Enumerable.Range(0, callers).Select(i => runtime.GetGrain<IPingGrain>($"ping-{i}")).ToArray();
        var proxied = Enumerable.Range(0, callers).Select(i => DispatchProxyReference.Create<IPingGrain>(runtime, $"ping-{i}")).ToArray();
        var direct = Enumerable.Range(0, callers).Select(_ => (IPingGrain)new PingGrain()).ToArray();
        var shared = runtime.GetGrain<IPingGrain>("shared");
        await using var orleans = await OrleansPingSilo.StartAsync();
        var onOrleans = Enumerable.Range(0, callers).Select(i => orleans.Grains.GetGrain<IOrleansPingGrain>($"ping-{i}")).ToArray();

        var rates = await Measurement.MedianRatesAsync(
            rounds,
            ("direct", () => CallAllAsync(direct, callsPerCaller)),
            ("generated", () => CallAllAsync(generated, callsPerCaller)),
            ("proxied", () => CallAllAsync(proxied, callsPerCaller)),
            ("queued", () => BurstAsync(shared, callers, callsPerCaller / 4)),
            ("orleans", () => CallAllAsync(onOrleans.Select(g => (Func<int, Task<int>>)g.Ping).ToArray(), callsPerCaller / 4)));
        var (directRate, generatedRate, proxiedRate, queuedRate, orleansRate) = (rates["direct"], rates["generated"], rates["proxied"], rates["queued"], rates["orleans"]);

        Measurement.Report("calls.direct", directRate, "calls/s");
        Measurement.Report("calls.generated_reference", generatedRate, "calls/s");
        Measurement.Ratio("calls.generated_reference/direct", generatedRate, directRate);
        Measurement.Report("calls.dispatch_proxy", proxiedRate, "calls/s");
        Measurement.Ratio("calls.dispatch_proxy/generated_reference", proxiedRate, generatedRate);
        Measurement.Report("calls.generated_reference.queued", queuedRate, "calls/s");
        Measurement.Ratio("calls.generated_reference.queued/direct", queuedRate, directRate);
        Measurement.Report("calls.orleans", orleansRate, "calls/s");
        Measurement.Ratio("calls.orleans/direct", orleansRate, directRate);
        Measurement.Ratio("calls.generated_reference/orleans", generatedRate, orleansRate);

        await runtime.StopAsync();
    }

    private static async Task<long> BurstAsync(IPingGrain grain, int callers, int callsPerCaller)
    {
        const int burst = 64;
        var workers = Enumerable.Range(0, callers).Select(_ => Task.Run(async () =>
        {
            var answered = 0;
            var calls = new Task<int>[burst];
            for (var sent = 0; sent < callsPerCaller; sent += burst)
            {
                for (var i = 0; i < burst; i++)
                {
                    calls[i] = grain.Ping(i);
                }
                var results = await Task.WhenAll(calls);
                answered += results.Count(r => r >= 1);
            }
            return answered;
        })).ToArray();
        var answered = (await Task.WhenAll(workers)).Sum();

        var expected = (long)callers * ((callsPerCaller + burst - 1) / burst) * burst;
        if (answered != expected)
        {
            throw new InvalidOperationException($"Queued calls were lost: expected {expected} answers, got {answered}.");
        }
        return answered;
    }

    private static Task<long> CallAllAsync(IPingGrain[] grains, int callsPerCaller) =>
        CallAllAsync(grains.Select(g => (Func<int, Task<int>>)g.Ping).ToArray(), callsPerCaller);

    private static async Task<long> CallAllAsync(Func<int, Task<int>>[] grains, int callsPerCaller)
    {
        var workers = grains.Select(ping => Task.Run(async () =>
        {
            var value = 0;
            for (var i = 0; i < callsPerCaller; i++)
            {
                value = await ping(value);
            }
            return value;
        })).ToArray();
        var results = await Task.WhenAll(workers);

        // Each call adds one: anything else means a call was lost or ran twice.
        if (results.Any(r => r != callsPerCaller))
        {
            throw new InvalidOperationException($"Calls were lost or repeated: expected {callsPerCaller} per caller, got {string.Join(", ", results.Distinct())}.");
        }
        return (long)grains.Length * callsPerCaller;
    }
}
