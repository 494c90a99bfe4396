namespace CityOps.Twin.Bench;

/// <summary>
/// The Orleans call floor: trivial awaited grain calls per second against direct method calls on the same grain
/// class, in the same run. Callers each own a grain, as the twin's ingestion does (one producer per device). A
/// second figure sends bursts of calls without awaiting each to one grain that all callers share, so the calls
/// wait in its queue: the most one activation takes. The floor is the baseline of every grain-path figure.
/// </summary>
internal static class CallBenchmark
{
    public static async Task RunAsync(bool quick)
    {
        var callers = quick ? 2 : Environment.ProcessorCount * 4;
        var callsPerCaller = quick ? 1_000 : 50_000;
        var rounds = quick ? 1 : 7;

        await using var orleans = await OrleansPingSilo.StartAsync();
        var viaOrleans = Enumerable.Range(0, callers).Select(i => orleans.Grains.GetGrain<IOrleansPingGrain>($"ping-{i}")).ToArray();
        var direct = Enumerable.Range(0, callers).Select(_ => (IOrleansPingGrain)new OrleansPingGrain()).ToArray();
        var shared = orleans.Grains.GetGrain<IOrleansPingGrain>("shared");

        // Direct calls are hundreds of times faster: they make more calls a round, so that a round is long enough to time.
        var rates = await Measurement.MedianRatesAsync(
            rounds,
            ("direct", () => CallAllAsync(direct, callsPerCaller * 20)),
            ("orleans", () => CallAllAsync(viaOrleans, callsPerCaller)),
            ("queued", () => BurstAsync(shared, callers, callsPerCaller)));
        var (directRate, orleansRate, queuedRate) = (rates["direct"], rates["orleans"], rates["queued"]);

        Measurement.Report("calls.direct", directRate, "calls/s");
        Measurement.Report("calls.orleans", orleansRate, "calls/s");
        Measurement.Ratio("calls.orleans/direct", orleansRate, directRate);
        Measurement.Report("calls.orleans.queued_to_one_grain", queuedRate, "calls/s");
        Measurement.Ratio("calls.orleans.queued_to_one_grain/orleans", queuedRate, orleansRate);
    }

    private static async Task<long> BurstAsync(IOrleansPingGrain grain, int callers, int callsPerCaller)
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

    /// <summary>Each grain called by a caller of its own, each call awaited before the next; returns the calls made.</summary>
    internal static async Task<long> CallAllAsync(IOrleansPingGrain[] grains, int callsPerCaller)
    {
        var workers = grains.Select(grain => Task.Run(async () =>
        {
            var value = 0;
            for (var i = 0; i < callsPerCaller; i++)
            {
                value = await grain.Ping(value);
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
