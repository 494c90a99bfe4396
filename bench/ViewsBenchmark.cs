using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;

namespace CityOps.Twin.Bench;

/// <summary>
/// What an open view of the operations map costs the silo that serves it: one silo process over SQLite, the demo city,
/// its simulator at the demo's 50 readings/s, and N views open at 1920x1080 in headless Chromium (each in a browser
/// context of its own, signed in, waited on until its map is drawn). Over a fixed window, the silo process's working
/// set (VmRSS, sampled) and CPU time (user + system), with 0 views (the baseline) and with N; per view, the difference
/// divided by N. Chromium and this process share the same cores but are not counted: only the silo process is. One
/// view is opened and closed before the baseline, so the one-time cost of the first (code compiled, pages' assets
/// cached) is in the baseline, not charged to the views. The feed as one view receives it: the silo's WebSocket
/// messages to it per second and their bytes, and the frames the silo dropped for views that fell behind (/healthz/detail).
/// </summary>
internal static class ViewsBenchmark
{
    private const double Megabyte = 1024 * 1024;

    /// <summary>The silo's CPU, ms per s, under which it counts as settled after its start (idle with the simulator: 20-50).</summary>
    private const double Settled = 150;

    /// <summary>Views opened at once (to keep the full run within a few minutes); each is still waited on until drawn.</summary>
    private const int OpenedTogether = 5;

    public static async Task RunAsync(bool quick)
    {
        var settings = quick ? Settings.Quick : Settings.Full;
        Console.WriteLine($"views.load_average.start: {LoadAverage()} (1, 5, 15 min; {Environment.ProcessorCount} cores)");
        using var folder = new TempFolder();
        using var city = quick ? SmallCity.Write() : null;
        await using var silo = await SiloProcess.StartAsync(folder.Path, ["--storage", "sqlite", "--Simulation:ReadingsPerSecond", "50", .. city?.Arguments ?? []], TimeSpan.FromMinutes(5));
        using var process = Process.GetProcessById(silo.ProcessId);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await TwinBrowser.LaunchAsync(playwright, "views");
        var viewer = await TwinBrowser.CreateViewerAsync(silo, "bench-views");

        var warmUp = await TwinBrowser.OpenMapAsync(browser, silo, viewer);
        await warmUp.Context.CloseAsync();
        var settled = await SettleAsync(process, settings);
        Console.WriteLine($"views.setup: silo over SQLite, {(quick ? "a small city (64 sensors)" : "the demo city")}, simulator at 50 readings/s, healthy {silo.SecondsToServe:N1} s after its start; a view opened and closed, then settled in {settled:N1} s");

        var views = new List<View>();
        var opening = new List<double>();
        var windows = new SortedDictionary<int, Window> { [0] = await MeasureAsync(silo, process, views, settings) };
        try
        {
            foreach (var count in settings.Counts)
            {
                while (views.Count < count)
                {
                    var opened = await Task.WhenAll(Enumerable.Range(0, Math.Min(OpenedTogether, count - views.Count)).Select(async _ =>
                    {
                        var started = Stopwatch.GetTimestamp();
                        var view = await View.OpenAsync(browser, silo, viewer);
                        return (view, Stopwatch.GetElapsedTime(started).TotalSeconds);
                    }));
                    views.AddRange(opened.Select(o => o.view));
                    opening.AddRange(opened.Select(o => o.Item2));
                }
                windows[count] = await MeasureAsync(silo, process, views, settings);
            }
        }
        finally
        {
            foreach (var view in views)
            {
                await view.Page.Context.CloseAsync();
            }
        }

        Report(windows, opening, settings);
        Console.WriteLine($"views.load_average.end: {LoadAverage()} (1, 5, 15 min; {Environment.ProcessorCount} cores shared by the silo, Chromium, this process and whatever else runs)");
        if (quick)
        {
            Check(windows);
        }
    }

    private sealed record Settings(int[] Counts, int Slices, TimeSpan Slice)
    {
        public static readonly Settings Quick = new([1, 3], 3, TimeSpan.FromSeconds(1));

        public static readonly Settings Full = new([1, 10, 40], 4, TimeSpan.FromSeconds(5));

        public TimeSpan Window => Slice * Slices;
    }

    /// <summary>
    /// A silo that just became healthy still works hard for half a minute (the demo city's grains activated, code
    /// compiled: about 500 ms of CPU a second, then 20-50), and so does one that just drew its first view: until a
    /// slice of its CPU falls under <see cref="Settled"/>, the baseline would carry that. The seconds it took.
    /// </summary>
    private static async Task<double> SettleAsync(Process process, Settings settings)
    {
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            process.Refresh();
            var before = process.TotalProcessorTime;
            var slice = Stopwatch.GetTimestamp();
            await Task.Delay(settings.Slice);
            process.Refresh();
            var rate = (process.TotalProcessorTime - before).TotalMilliseconds / Stopwatch.GetElapsedTime(slice).TotalSeconds;
            if (rate < Settled)
            {
                return Stopwatch.GetElapsedTime(started).TotalSeconds;
            }
            if (Stopwatch.GetElapsedTime(started) > TimeSpan.FromMinutes(3))
            {
                throw new InvalidOperationException($"The silo still used {rate:N0} ms of CPU per s 3 minutes after it became healthy, with no view open: it does not settle under {Settled} ms/s.");
            }
        }
    }

    /// <summary>One window's figures, each the median of its slices (working set: of its samples).</summary>
    private sealed record Window(double WorkingSetMb, double CpuMsPerSecond, double FramesPerViewPerSecond, double KilobytesPerViewPerSecond, double DroppedPerSecond);

    private static async Task<Window> MeasureAsync(SiloProcess silo, Process process, List<View> views, Settings settings)
    {
        var workingSet = new List<double>();
        var cpu = new List<double>();
        var frames = new List<double>();
        var kilobytes = new List<double>();
        var droppedBefore = await DroppedFramesAsync(silo);
        var windowStarted = Stopwatch.GetTimestamp();
        for (var slice = 0; slice < settings.Slices; slice++)
        {
            process.Refresh();
            var cpuBefore = process.TotalProcessorTime;
            var counted = views.Select(v => v.Counted()).ToArray();
            var started = Stopwatch.GetTimestamp();
            while (Stopwatch.GetElapsedTime(started) < settings.Slice)
            {
                workingSet.Add(WorkingSetBytes(process.Id) / Megabyte);
                await Task.Delay(200);
            }
            process.Refresh();
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            cpu.Add((process.TotalProcessorTime - cpuBefore).TotalMilliseconds / seconds);
            if (views.Count > 0)
            {
                var now = views.Select(v => v.Counted()).ToArray();
                frames.Add(Measurement.Median([.. now.Select((c, i) => (c.Frames - counted[i].Frames) / seconds)]));
                kilobytes.Add(Measurement.Median([.. now.Select((c, i) => (c.Bytes - counted[i].Bytes) / 1024.0 / seconds)]));
            }
        }
        var dropped = (await DroppedFramesAsync(silo) - droppedBefore) / Stopwatch.GetElapsedTime(windowStarted).TotalSeconds;
        return new Window(
            Measurement.Median(workingSet),
            Measurement.Median(cpu),
            frames.Count > 0 ? Measurement.Median(frames) : 0,
            kilobytes.Count > 0 ? Measurement.Median(kilobytes) : 0,
            dropped);
    }

    private static void Report(SortedDictionary<int, Window> windows, List<double> opening, Settings settings)
    {
        var baseline = windows[0];
        Console.WriteLine($"views.cores: {Environment.ProcessorCount} (shared by the silo, Chromium and this process; every figure below is the silo process's alone)");
        Console.WriteLine($"views.window: {settings.Window.TotalSeconds:N0} s in {settings.Slices} slices (CPU: median slice; working set: median of samples every 200 ms)");
        Measurement.Report("views.silo_working_set.0_views", baseline.WorkingSetMb, "MB (baseline: no view open)");
        Measurement.Report("views.silo_cpu.0_views", baseline.CpuMsPerSecond, "ms of CPU per s (baseline: the simulator's 50 readings/s and the silo's own work)");
        foreach (var (count, window) in windows.Where(w => w.Key > 0))
        {
            Measurement.Report($"views.silo_working_set.{count}_views", window.WorkingSetMb, "MB");
            Measurement.Ratio($"views.silo_working_set.{count}_views/0_views", window.WorkingSetMb, baseline.WorkingSetMb);
            Measurement.Report($"views.memory_per_view.{count}_views", (window.WorkingSetMb - baseline.WorkingSetMb) / count, "MB per view ((working set with N - baseline) / N)");
            Measurement.Report($"views.silo_cpu.{count}_views", window.CpuMsPerSecond, "ms of CPU per s");
            Measurement.Ratio($"views.silo_cpu.{count}_views/0_views", window.CpuMsPerSecond, baseline.CpuMsPerSecond);
            Measurement.Report($"views.cpu_per_view.{count}_views", (window.CpuMsPerSecond - baseline.CpuMsPerSecond) / count, "ms of CPU per s per view ((CPU with N - baseline) / N)");
            Measurement.Report($"views.feed.frames.{count}_views", window.FramesPerViewPerSecond, "WebSocket messages per s from the silo to a view (median view)");
            Measurement.Report($"views.feed.bytes.{count}_views", window.KilobytesPerViewPerSecond, "KB per s from the silo to a view (median view)");
            Measurement.Report($"views.feed.dropped.{count}_views", window.DroppedPerSecond, "frames per s dropped for views that fell behind (all views together)");
        }
        var counts = windows.Keys.Where(c => c > 0).ToArray();
        if (counts.Length >= 2)
        {
            int low = counts[^2], high = counts[^1];
            Measurement.Report($"views.memory_per_view.marginal_{low}_to_{high}", (windows[high].WorkingSetMb - windows[low].WorkingSetMb) / (high - low), $"MB per view (from {low} to {high} views)");
            Measurement.Report($"views.cpu_per_view.marginal_{low}_to_{high}", (windows[high].CpuMsPerSecond - windows[low].CpuMsPerSecond) / (high - low), $"ms of CPU per s per view (from {low} to {high} views)");
        }
        Measurement.Report("views.open.median", Measurement.Median(opening) * 1000, $"ms from a new browser context to its map drawn (median of {opening.Count}, opened {OpenedTogether} at a time)");
    }

    /// <summary>Quick mode's sanity: every figure a finite number, the silo's working set and CPU positive, every view fed.</summary>
    private static void Check(SortedDictionary<int, Window> windows)
    {
        foreach (var (count, window) in windows)
        {
            double[] figures = [window.WorkingSetMb, window.CpuMsPerSecond, window.FramesPerViewPerSecond, window.KilobytesPerViewPerSecond, window.DroppedPerSecond];
            if (figures.Any(f => !double.IsFinite(f)) || window.WorkingSetMb <= 0 || window.CpuMsPerSecond <= 0)
            {
                throw new InvalidOperationException($"views: the window with {count} views measured {window}: a figure is not finite, or the silo's working set or CPU is not positive.");
            }
            if (count > 0 && window.KilobytesPerViewPerSecond <= 0)
            {
                throw new InvalidOperationException($"views: with {count} views open, the median view received nothing from the silo over the window ({window}): the feed is not live.");
            }
        }
    }

    /// <summary>The silo's resident set (VmRSS in /proc/&lt;pid&gt;/status), in bytes.</summary>
    private static long WorkingSetBytes(int pid)
    {
        var path = $"/proc/{pid}/status";
        var line = File.ReadLines(path).FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"{path} has no VmRSS line: is the silo still running?");
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 3 || fields[2] != "kB" || !long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var kilobytes))
        {
            throw new InvalidOperationException($"{path}: cannot read '{line}' as 'VmRSS: <n> kB'.");
        }
        return kilobytes * 1024;
    }

    /// <summary>Frames dropped by every view on the silo since its start, from its runtime health check's gauges.</summary>
    private static async Task<long> DroppedFramesAsync(SiloProcess silo)
    {
        using var detail = JsonDocument.Parse(await silo.Http.GetStringAsync("/healthz/detail"));
        return detail.RootElement.GetProperty("checks").GetProperty("runtime").GetProperty("data").GetProperty("viewFramesDropped").GetInt64();
    }

    private static string LoadAverage() => string.Join(", ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    /// <summary>An open operations map and what its WebSocket received from the silo (Blazor's circuit: render batches, pings).</summary>
    private sealed class View
    {
        private long _frames;
        private long _bytes;

        public IPage Page { get; private set; } = null!;

        public (long Frames, long Bytes) Counted() => (Interlocked.Read(ref _frames), Interlocked.Read(ref _bytes));

        public static async Task<View> OpenAsync(IBrowser browser, SiloProcess silo, (string Name, string Password) viewer)
        {
            var view = new View();
            view.Page = await TwinBrowser.OpenMapAsync(browser, silo, viewer, page => page.WebSocket += (_, socket) => socket.FrameReceived += (_, frame) =>
            {
                Interlocked.Increment(ref view._frames);
                Interlocked.Add(ref view._bytes, frame.Binary?.Length ?? System.Text.Encoding.UTF8.GetByteCount(frame.Text ?? string.Empty));
            });
            return view;
        }
    }
}
