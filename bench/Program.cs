using CityOps.Twin.Bench;

// dotnet run -c Release --project bench -- <name> [quick]|all|quick|soak [minutes]
// Each figure prints as "name: value unit", with its baselines and ratios from the same run (and, on a terminal, a
// progress bar per benchmark).
var benchmarks = new Dictionary<string, Func<bool, Task>>(StringComparer.OrdinalIgnoreCase)
{
    ["calls"] = CallBenchmark.RunAsync,
    ["switchover"] = SwitchoverBenchmark.RunAsync,
    ["nearest"] = NearestCamerasBenchmark.RunAsync,
    ["ingest"] = IngestBenchmark.RunAsync,
    ["freshness"] = FreshnessBenchmark.RunAsync,
    ["scale"] = ScaleBenchmark.RunAsync,
    ["recovery"] = RecoveryBenchmark.RunAsync,
    ["storage"] = StorageBenchmark.RunAsync,
    ["cluster"] = ClusterBenchmark.RunAsync,
    ["views"] = ViewsBenchmark.RunAsync,
    ["dashboard"] = DashboardBenchmark.RunAsync,
    ["history"] = HistoryBenchmark.RunAsync,
};

var name = args.FirstOrDefault() ?? "all";
// On a terminal, a bar per benchmark shows its runs as they go; redirected (a file, a CI log), the output is the plain lines alone.
var terminal = CityOps.Twin.Silo.Hosting.TerminalProgress.StandardOutput() is null
    ? null
    : CityOps.Twin.Silo.Hosting.TerminalProgress.Usable(Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings { Out = new Spectre.Console.AnsiConsoleOutput(Console.Out) }));
if (terminal is not null)
{
    Console.SetOut(new TerminalLines(terminal));
}

async Task Run(string benchmark, Func<bool, Task> body, bool quick)
{
    if (terminal is null)
    {
        await body(quick);
        return;
    }
    await CityOps.Twin.Silo.Hosting.TerminalProgress.RunAsync(terminal, benchmark, async report =>
    {
        Measurement.Progress = (done, status) => report(done, $"{benchmark}: {status}");
        try
        {
            await body(quick);
        }
        finally
        {
            Measurement.Progress = null;
        }
        return 0;
    });
}

Console.WriteLine($"bench: {DateTime.UtcNow:yyyy-MM-dd}, {Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1L << 30)} GiB, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}");
if (name.Equals("quick", StringComparison.OrdinalIgnoreCase) || name.Equals("all", StringComparison.OrdinalIgnoreCase))
{
    var quick = name.Equals("quick", StringComparison.OrdinalIgnoreCase);
    foreach (var (benchmark, run) in benchmarks)
    {
        Console.WriteLine($"== {benchmark}{(quick ? " (quick)" : string.Empty)}");
        await Run(benchmark, run, quick);
    }
    return 0;
}

if (name.Equals("soak", StringComparison.OrdinalIgnoreCase))
{
    Console.WriteLine("== soak");
    return await SoakRun.RunAsync(args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 30);
}

// The history's parts on their own (each takes minutes at full size): history ingest [postgres] | queries | writer [quick].
if (name.Equals("history", StringComparison.OrdinalIgnoreCase) && args.Length > 1 && args[1] is "ingest" or "queries" or "writer")
{
    var options = args.Skip(2).Select(a => a.ToLowerInvariant()).ToHashSet();
    var quickPart = options.Contains("quick");
    var postgres = options.Contains("postgres");
    Console.WriteLine($"== history {args[1]}{(postgres ? " postgres" : string.Empty)}{(quickPart ? " (quick)" : string.Empty)}");
    await (args[1] switch
    {
        "ingest" => HistoryBenchmark.IngestOnAndOffAsync(quickPart, postgres),
        "writer" => HistoryBenchmark.WriterAloneAsync(quickPart),
        _ => HistoryBenchmark.QueriesAsync(quickPart),
    });
    return 0;
}

if (!benchmarks.TryGetValue(name, out var single))
{
    Console.Error.WriteLine($"Unknown benchmark '{name}'. Known: {string.Join(", ", benchmarks.Keys)} (each optionally followed by quick), all, quick, soak [minutes].");
    return 2;
}

var quickOne = args.Length > 1 && args[1].Equals("quick", StringComparison.OrdinalIgnoreCase);
Console.WriteLine($"== {name}{(quickOne ? " (quick)" : string.Empty)}");
await Run(name, single, quickOne);
return 0;
