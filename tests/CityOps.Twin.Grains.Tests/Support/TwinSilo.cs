using CityOps.Twin.Contracts.Live;
using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Grains.Alerts;
using CityOps.Twin.Grains.Live;
using CityOps.Twin.Grains.Mode;
using CityOps.Twin.Silo.Cap;
using CityOps.Twin.Silo.Drills.Engine;
using CityOps.Twin.Silo.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Runtime;

namespace CityOps.Twin.Grains.Tests.Support;

/// <summary>
/// A silo with the twin's grains over the given store, on a clock the test moves: the drill engine's isolated
/// in-process Orleans silo (<see cref="DrillSiloHost"/>), whose driver fires every timer and reminder due on the way
/// in time order and waits until the silo is quiescent after each. With the live feed, the silo's listeners hear the
/// city as a view would, and a step is settled only once the feed has delivered what it caused.
/// </summary>
public sealed class TwinSilo : IAsyncDisposable
{
    public static readonly DateTimeOffset DefaultStart = new(2026, 7, 27, 0, 0, 0, TimeSpan.FromHours(8));

    /// <summary>
    /// Real time the feed may take to register or deliver, or the reminder service to read its reminders: far above what
    /// they take, so only something lost trips it.
    /// </summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly DrillSiloHost _host;

    private TwinSilo(DrillSiloHost host) => _host = host;

    /// <summary>The silo's clock: grain timers, reminders and grain code read it.</summary>
    public DrillClock Time => _host.Clock;

    public IGrainFactory Grains => _host.GrainFactory;

    public IServiceProvider Services => _host.Services;

    /// <summary>
    /// Starts a silo (in memory unless a store is given) with its clock at <paramref name="start"/>. The live feed is
    /// there when asked for, or when listeners are given: it registers before this returns, so they miss nothing.
    /// </summary>
    public static async Task<TwinSilo> StartAsync(TwinStore? store = null, DateTimeOffset? start = null, bool feed = false, params ITwinChangeListener[] listeners)
    {
        store ??= TwinStore.Memory();
        feed |= listeners.Length > 0;
        ReminderServiceReadiness.Listen();
        var host = await DrillSiloHost.StartAsync(new DrillSiloOptions
        {
            Start = start ?? DefaultStart,
            Name = "grains-tests",
            ServiceId = store.ServiceId,
            ConfigureSilo = silo =>
            {
                store.Configure(silo);
                if (feed)
                {
                    // Added with the silo's own services, after Orleans' hosted service, as AddTwinSilo adds them: the
                    // feed registers with its hub once the silo has started (a call sent while it is still starting
                    // is held unanswered).
                    silo.Services.AddTwinFeed();
                    foreach (var listener in listeners)
                    {
                        silo.Services.AddSingleton(listener);
                    }
                }
            },
            ConfigureServices = services =>
            {
                services.AddTwinCatalogues();
                // The grains journal their alarm changes and switches for CAP; here in memory, as a drill's silo does.
                services.AddSingleton(new MemoryCapAlertStore(keep: 100_000));
                services.AddSingleton<IAlertJournal>(sp => sp.GetRequiredService<MemoryCapAlertStore>());
                if (!feed)
                {
                    // Grains publish to the feed whether a silo hears it or not; with no feed registered, what they
                    // publish goes nowhere.
                    services.TryAddSingleton<TwinFeedCounters>();
                }
            },
        });
        var silo = new TwinSilo(host);
        try
        {
            if (feed)
            {
                var counters = host.Services.GetRequiredService<TwinFeedCounters>();
                host.Driver.AlsoSettle = _ => counters.WhenDeliveredAsync(Patience);
                await host.Services.GetRequiredService<ITwinFeedMembership>().Registered.WaitAsync(Patience);
            }
            // Reminders stored by an earlier silo are read, and their waits armed, before the test moves the clock.
            await ReminderServiceReadiness.WhenStartedAsync(host.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress, Patience);
            await host.Driver.SettleAsync();
            return silo;
        }
        catch
        {
            await silo.DisposeAsync();
            throw;
        }
    }

    public TGrain Grain<TGrain>(string key) where TGrain : IGrainWithStringKey => _host.GrainFactory.GetGrain<TGrain>(key);

    /// <summary>Moves the clock, letting the silo settle after every timer and reminder that comes due on the way.</summary>
    public Task AdvanceAsync(TimeSpan delta) => _host.Driver.AdvanceToAsync(Time.GetUtcNow() + delta);

    /// <summary>Waits, without moving the clock, until all the work the calls so far started is done (one-way calls to grids and areas included).</summary>
    public Task SettleAsync() => _host.Driver.SettleAsync();

    /// <summary>
    /// Switches the city's mode as the switchboard does once it has checked the districts: recorded by the mode grain,
    /// then put in force in the silo's mode cache (through the feed's hub), where grains read it. Needs the feed.
    /// </summary>
    public async Task<ModeChange> SwitchModeAsync(ModeSwitch request, IReadOnlyList<string> coveredGrids)
    {
        var change = await Grain<ICityModeGrain>(ICityModeGrain.CityKey).Switch(request, coveredGrids);
        await ModeBroadcast.InForceEverywhereAsync(_host.GrainFactory, new ModeInForce(change.To, change.To.IsEmergency ? coveredGrids : []));
        return change;
    }

    /// <summary>
    /// Settles first: a silo stopped while a call is on its way answers it with a rejection it can no longer send, and
    /// the caller (the feed's publisher, which the stop waits for) waits out the response timeout.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await _host.Driver.SettleAsync();
        }
        catch (TimeoutException)
        {
            // What did not settle is the test's failure to report, not the stop's.
        }
        await _host.DisposeAsync();
    }
}
