using System.Reflection;
using CityOps.Twin.Runtime.Persistence;
using CityOps.Twin.Runtime.Streams;
using CityOps.Twin.Runtime.Timers;
using Microsoft.Extensions.Logging;

namespace CityOps.Twin.Runtime;

/// <summary>
/// The silo: the directory of activations, the call path from references to mailboxes, and the services
/// grains lean on (storage, write-behind, reminders, streams, the idle collector). Code outside grains uses
/// it as <see cref="IClusterClient"/>.
/// </summary>
public sealed class GrainRuntime : IClusterClient, IGrainCallInvoker, IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly Dictionary<string, IStreamProvider> _streamProviders;
    private readonly IReadOnlyList<RelationalDatabase> _databases;
    private readonly Lock _stopLock = new();
    private ITimer? _collector;
    private Task? _stop;
    private int _disposed;

    internal GrainRuntime(
        IServiceProvider services,
        GrainRuntimeOptions options,
        TimeProvider time,
        IEnumerable<Assembly> grainAssemblies,
        GrainStorageRegistry storages,
        GrainStateSerializer serializer,
        IReminderTable reminderTable,
        IReadOnlyList<RelationalDatabase> databases,
        IEnumerable<string> streamProviderNames,
        ILogger<GrainRuntime> logger)
    {
        Services = services;
        Options = options;
        Time = time;
        Registry = new GrainTypeRegistry(grainAssemblies);
        Storages = storages;
        Serializer = serializer;
        Logger = logger;
        _databases = databases;
        Instruments = new RuntimeInstruments();
        Catalog = new Catalog(this);
        WriteBehind = new WriteBehindFlusher(time, options.WriteBehindWindow, Instruments, logger);
        _flushers = new Dictionary<TimeSpan, WriteBehindFlusher> { [options.WriteBehindWindow] = WriteBehind };
        Reminders = new ReminderService(reminderTable, this);
        _streamProviders = streamProviderNames.Distinct().ToDictionary(n => n, n => (IStreamProvider)new InProcessStreamProvider(n, this));
    }

    public GrainRuntimeOptions Options { get; }

    public TimeProvider Time { get; }

    public RuntimeInstruments Instruments { get; }

    public int ActivationCount => Catalog.Count;

    /// <summary>The relational databases behind the storage (none for in-memory storage): the silo keeps its own tables there too.</summary>
    public IReadOnlyList<RelationalDatabase> Databases => _databases;

    internal IServiceProvider Services { get; }

    internal GrainTypeRegistry Registry { get; }

    internal GrainStorageRegistry Storages { get; }

    internal GrainStateSerializer Serializer { get; }

    internal ILogger Logger { get; }

    internal Catalog Catalog { get; }

    internal WriteBehindFlusher WriteBehind { get; }

    // One flusher per write-behind window in use: the runtime's, and any a state asks for of its own.
    private readonly Dictionary<TimeSpan, WriteBehindFlusher> _flushers;

    private WriteBehindFlusher[] Flushers
    {
        get
        {
            lock (_flushers)
            {
                return [.. _flushers.Values];
            }
        }
    }

    /// <summary>The flusher of a window in seconds (0: the runtime's own).</summary>
    internal WriteBehindFlusher WriteBehindFor(double seconds)
    {
        if (seconds <= 0)
        {
            return WriteBehind;
        }
        var window = TimeSpan.FromSeconds(seconds);
        lock (_flushers)
        {
            if (!_flushers.TryGetValue(window, out var flusher))
            {
                _flushers[window] = flusher = new WriteBehindFlusher(Time, window, Instruments, Logger);
            }
            return flusher;
        }
    }

    private Task FlushAllAsync() => Task.WhenAll(Flushers.Select(f => f.FlushAsync()));

    internal ReminderService Reminders { get; }

    internal StreamActivity StreamActivity { get; } = new();

    internal CancellationToken StoppingToken => _stopping.Token;

    internal bool IsStopping => _stopping.IsCancellationRequested;

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        foreach (var database in _databases)
        {
            await database.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        }
        await Reminders.StartAsync(cancellationToken).ConfigureAwait(false);
        _collector = Time.CreateTimer(static s => ((GrainRuntime)s!).CollectIdleActivations(), this, Options.CollectionQuantum, Options.CollectionQuantum);
    }

    /// <summary>
    /// Deactivates every activation (each runs OnDeactivateAsync and saves its write-behind state), then flushes.
    /// Every caller waits for the one stop: a second caller (the container disposing the runtime while the host
    /// stops it) must not go on to close the storage under a stop that is still saving.
    /// </summary>
    public Task StopAsync(CancellationToken cancellationToken = default)
    {
        lock (_stopLock)
        {
            return _stop ??= StopOnceAsync(cancellationToken);
        }
    }

    private async Task StopOnceAsync(CancellationToken cancellationToken)
    {
        _stopping.Cancel();
        if (_collector is not null)
        {
            await _collector.DisposeAsync().ConfigureAwait(false);
        }
        await Reminders.DisposeAsync().ConfigureAwait(false);

        try
        {
            // Hot state first, in batches: then each deactivation below finds little or nothing left to save alone.
            await FlushAllAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            var shutdown = new DeactivationReason(DeactivationReasonCode.ShuttingDown, "The silo is stopping");
            await Task.WhenAll(Catalog.All.ToArray().Select(a => a.DeactivateAsync(shutdown))).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            var busy = Catalog.All.Where(a => !a.IsQuiet).ToList();
            Logger.LogError(
                "The silo did not stop in time: {Busy} activations busy, {WriteBehind} write-behind states pending (flusher: {Phase}; SQLite connection held by: {InUse}), {Streams} stream items undelivered. First busy: {Activations}",
                busy.Count, Flushers.Sum(f => f.PendingCount), string.Join("; ", Flushers.Select(f => f.Phase)), string.Join(",", _databases.OfType<SqliteDatabase>().Select(d => d.Holder)), StreamActivity.IsIdle ? 0 : "some", string.Join("; ", busy.Take(10).Select(a => a.Describe())));
            throw;
        }
        await FlushAllAsync().ConfigureAwait(false);
        foreach (var flusher in Flushers)
        {
            await flusher.DisposeAsync().ConfigureAwait(false);
        }
    }

    public TGrain GetGrain<TGrain>(string key) where TGrain : IGrainWithStringKey =>
        (TGrain)(object)Registry.CreateReference(typeof(TGrain), Registry.GrainIdOf(typeof(TGrain), key), this);

    public IStreamProvider GetStreamProvider(string name) =>
        _streamProviders.TryGetValue(name, out var provider)
            ? provider
            : throw new ArgumentException($"No stream provider named '{name}'; configured: {string.Join(", ", _streamProviders.Keys)}.", nameof(name));

    /// <summary>
    /// Completes when every reminder tick that has come due has been delivered and its next tick stored. With a
    /// manual or drill clock: advance the clock, then await this to know the grains have seen the ticks.
    /// </summary>
    public Task WhenRemindersDeliveredAsync() => Reminders.DeliveriesSettled();

    /// <summary>
    /// Completes when the silo has settled: no turn running or waiting in any mailbox, no stream item undelivered
    /// and no reminder delivery under way. A clock that jumps (a test's, a drill's) settles the silo after each
    /// timer it fires, so work that a tick starts finishes at the tick's time and not hours later. It looks at
    /// every activation, so it is for tests and drills, not for a busy production silo.
    /// </summary>
    public async Task WhenIdleAsync()
    {
        while (true)
        {
            await StreamActivity.WhenIdleAsync().ConfigureAwait(false);
            await Reminders.DeliveriesSettled().ConfigureAwait(false);
            if (StreamActivity.IsIdle && Reminders.IsSettled && Catalog.All.All(a => a.IsQuiet))
            {
                return;
            }
            await Task.Yield();
        }
    }

    /// <summary>Completes when every stream item published so far has been delivered to every subscriber.</summary>
    public Task WhenStreamsIdleAsync() => StreamActivity.WhenIdleAsync();

    /// <summary>Saves every write-behind state written so far.</summary>
    public Task FlushWriteBehindAsync() => FlushAllAsync();

    public Task<TResult> InvokeAsync<TGrain, TState, TResult>(GrainReference target, string method, TState state, Func<TGrain, TState, Task<TResult>> call) =>
        Invoke<ResultCall<TGrain, TState, TResult>, Task<TResult>>(target, method, new ResultCall<TGrain, TState, TResult>(state, call));

    public Task InvokeAsync<TGrain, TState>(GrainReference target, string method, TState state, Func<TGrain, TState, Task> call) =>
        Invoke<VoidCall<TGrain, TState>, Task>(target, method, new VoidCall<TGrain, TState>(state, call));

    private TTask Invoke<TCall, TTask>(GrainReference target, string method, in TCall call)
        where TCall : struct, IGrainCall<TTask>
        where TTask : Task
    {
        Instruments.CallMade();
        var spin = new SpinWait();
        while (true)
        {
            var activation = ResolveCached(target);
            if (activation.TryInvoke<TCall, TTask>(method, call) is { } task)
            {
                return task;
            }
            target.CachedActivation = null;
            spin.SpinOnce();
        }
    }

    /// <summary>A call made by the runtime itself (reminder ticks, implicit stream items) to a grain it knows only by id.</summary>
    internal Task InvokeGrainAsync<TGrain, TState>(GrainId grainId, string method, TState state, Func<TGrain, TState, Task> call) =>
        InvokeAsync(new SystemReference(grainId, this), method, state, call);

    private ActivationData ResolveCached(GrainReference target)
    {
        if (target.CachedActivation is ActivationData cached && !cached.IsInvalid)
        {
            return cached;
        }
        var activation = Catalog.GetOrCreate(target.GrainId);
        target.CachedActivation = activation;
        return activation;
    }

    internal void ThrowIfStopping(GrainId grainId)
    {
        if (IsStopping)
        {
            throw new InvalidOperationException($"The silo is shutting down; grain {grainId} cannot be activated.");
        }
    }

    private void CollectIdleActivations()
    {
        var cutoff = Time.GetTimestamp() - (long)(Options.CollectionAge.TotalSeconds * Time.TimestampFrequency);
        var idle = new DeactivationReason(DeactivationReasonCode.IdleCollection, $"No call for {Options.CollectionAge}");
        foreach (var activation in Catalog.All)
        {
            if (activation.IsIdleSince(cutoff))
            {
                _ = activation.DeactivateAsync(idle);
            }
        }
    }

    /// <remarks>
    /// Safe to call more than once: a DI container disposes the runtime once for each registration that hands
    /// it out (GrainRuntime, IClusterClient, IGrainFactory).
    /// </remarks>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        try
        {
            await StopAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The host gave up waiting (its shutdown timeout); what could be saved was saved, and the silo says what was left.
        }
        Instruments.Dispose();
        foreach (var storage in Storages.All.OfType<IAsyncDisposable>())
        {
            await storage.DisposeAsync().ConfigureAwait(false);
        }
        foreach (var database in _databases)
        {
            await database.DisposeAsync().ConfigureAwait(false);
        }
    }

    private sealed class SystemReference(GrainId grainId, IGrainCallInvoker invoker) : GrainReference(grainId, invoker);
}
