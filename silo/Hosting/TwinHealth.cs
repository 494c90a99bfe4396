using CityOps.Twin.Grains.Live;
using CityOps.Twin.Silo.City;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CityOps.Twin.Silo.Hosting;

/// <summary>
/// The silo's health endpoints. <c>/healthz</c> (and, signed in, <c>/healthz/detail</c>) as before: runtime, city,
/// storage, Degraded while the city is filed. For an orchestrator: <c>/healthz/live</c> (liveness: the process and its
/// Orleans silo run; nothing that a database blip could fail, so a silo that serves from memory is never restarted
/// for it) and <c>/healthz/ready</c> (readiness: database reachable, this silo active in the cluster with
/// activations, the city filed, the live feed running). Healthy and Degraded answer 200, Unhealthy 503; live and ready
/// answer JSON with each check's status only (they are anonymous: what a check says is at /healthz/detail).
/// </summary>
public static class TwinHealth
{
    public const string LiveTag = "live";

    public const string ReadyTag = "ready";

    /// <summary>The checks /healthz and /healthz/detail run (as before this tag existed).</summary>
    public const string HealthzTag = "healthz";

    // Registration names are unique, and readiness runs its own instances of the shared checks (the city check
    // reports filing as Unhealthy there): its entries are named "ready:..." and answered without the prefix.
    private const string LivePrefix = "live:";
    private const string ReadyPrefix = "ready:";

    public static IServiceCollection AddTwinHealthChecks(this IServiceCollection services)
    {
        services.AddSingleton<FeedWatch>();
        services.AddHealthChecks()
            .AddCheck<RuntimeHealthCheck>("runtime", tags: [HealthzTag])
            .AddTypeActivatedCheck<CityHealthCheck>("city", failureStatus: null, tags: [HealthzTag], args: HealthStatus.Degraded)
            .AddCheck<StorageHealthCheck>("storage", tags: [HealthzTag])
            .AddCheck<SiloLivenessCheck>(LivePrefix + "silo", tags: [LiveTag])
            .AddCheck<StorageHealthCheck>(ReadyPrefix + "database", tags: [ReadyTag])
            .AddCheck<RuntimeHealthCheck>(ReadyPrefix + "cluster", tags: [ReadyTag])
            .AddTypeActivatedCheck<CityHealthCheck>(ReadyPrefix + "city", failureStatus: null, tags: [ReadyTag], args: HealthStatus.Unhealthy)
            .AddCheck<FeedHealthCheck>(ReadyPrefix + "feed", tags: [ReadyTag]);
        return services;
    }

    public static WebApplication MapTwinHealth(this WebApplication app)
    {
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = r => r.Tags.Contains(HealthzTag) });
        // What each check says (a database out of reach, a version conflict, audit lines waiting), for the signed-in operations staff.
        app.MapHealthChecks("/healthz/detail", new HealthCheckOptions
        {
            Predicate = r => r.Tags.Contains(HealthzTag),
            ResponseWriter = (context, report) => context.Response.WriteAsJsonAsync(new
            {
                status = report.Status.ToString(),
                checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description, data = e.Value.Data }),
            }),
        }).RequireAuthorization();
        app.MapHealthChecks("/healthz/live", Probe(LiveTag, LivePrefix));
        app.MapHealthChecks("/healthz/ready", Probe(ReadyTag, ReadyPrefix));
        return app;
    }

    private static HealthCheckOptions Probe(string tag, string prefix) => new()
    {
        Predicate = r => r.Tags.Contains(tag),
        ResultStatusCodes =
        {
            [HealthStatus.Healthy] = StatusCodes.Status200OK,
            [HealthStatus.Degraded] = StatusCodes.Status200OK,
            [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
        },
        ResponseWriter = (context, report) =>
        {
            context.Response.Headers.CacheControl = "no-store";
            return context.Response.WriteAsJsonAsync(new
            {
                status = report.Status.ToString(),
                checks = report.Entries.ToDictionary(e => e.Key[prefix.Length..], e => e.Value.Status.ToString()),
            });
        },
    };
}

/// <summary>
/// Liveness: this process's Orleans silo runs. Local only (its own membership view, no database, no grain call): a
/// database outage or a busy cluster never makes an orchestrator restart a silo that still serves from memory.
/// Unhealthy once the cluster declared this silo dead (Orleans then stops it; a process left over is restarted).
/// </summary>
internal sealed class SiloLivenessCheck(IClusterMembershipService membership, ILocalSiloDetails silo) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = membership.CurrentSnapshot.GetSiloStatus(silo.SiloAddress);
        var data = new Dictionary<string, object> { ["siloStatus"] = status.ToString() };
        return Task.FromResult(status == SiloStatus.Dead
            ? HealthCheckResult.Unhealthy($"the cluster declared silo {silo.SiloAddress} dead", data: data)
            : HealthCheckResult.Healthy($"silo {silo.SiloAddress} {status}", data));
    }
}

/// <summary>
/// The live feed runs: this silo's observer is registered with the feed's hub (and was taken again within the last
/// few intervals), its registration loop runs, and what this silo's publisher took in reaches this silo's feed
/// (every publisher sends to every silo's feed, its own included).
/// </summary>
internal sealed class FeedHealthCheck(TwinFeedRegistration registration, TwinFeedCounters counters, FeedWatch watch, IHostApplicationLifetime lifetime) : IHealthCheck
{
    /// <summary>Registrations missed before the feed counts as stopped (the hub's silo may be failing over meanwhile).</summary>
    public const int MissedRegistrations = 4;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var published = counters.PublishedItems;
        var delivered = counters.DeliveredItems;
        var since = registration.SinceRegistered;
        var data = new Dictionary<string, object>
        {
            ["publishedItems"] = published,
            ["deliveredItems"] = delivered,
            ["secondsSinceRegistered"] = since?.TotalSeconds ?? -1,
        };
        var stalled = watch.Stalled(published, delivered, TimeSpan.FromMilliseconds(Environment.TickCount64));
        return Task.FromResult(true switch
        {
            _ when registration.Registered.IsFaulted => HealthCheckResult.Unhealthy("the live feed could not be set up", registration.Registered.Exception, data),
            _ when registration.ExecuteTask is { IsCompleted: true } && !lifetime.ApplicationStopping.IsCancellationRequested =>
                HealthCheckResult.Unhealthy("the live feed's registration stopped", registration.ExecuteTask.Exception, data),
            _ when since is null => HealthCheckResult.Unhealthy("the live feed is not registered with its hub yet", data: data),
            _ when since > MissedRegistrations * TwinFeedRegistration.Interval =>
                HealthCheckResult.Unhealthy($"the live feed's hub has not taken this silo's feed for {since.Value.TotalSeconds:0} s", data: data),
            _ when stalled > FeedWatch.StallLimit =>
                HealthCheckResult.Unhealthy($"changes published on this silo have not reached its live feed for {stalled.Value.TotalSeconds:0} s", data: data),
            _ => HealthCheckResult.Healthy("live feed running", data),
        });
    }
}

/// <summary>
/// Whether the feed stalls, from the counters each check reads: it stalls while this silo's publisher takes items in
/// and its feed delivers none. Kept between checks (probes come every few seconds).
/// </summary>
internal sealed class FeedWatch
{
    /// <summary>How long items may be published with none delivered: far beyond a batch's way (milliseconds) and a hub's failover.</summary>
    public static readonly TimeSpan StallLimit = TimeSpan.FromSeconds(15);

    private readonly Lock _lock = new();
    private (long Published, long Delivered, TimeSpan At)? _reference;

    /// <summary>How long items have been published with none delivered, as of <paramref name="now"/>; null when the feed moves or nothing was published.</summary>
    public TimeSpan? Stalled(long published, long delivered, TimeSpan now)
    {
        lock (_lock)
        {
            if (_reference is not { } reference || delivered != reference.Delivered || published == reference.Published)
            {
                _reference = (published, delivered, now);
                return null;
            }
            return now - reference.At;
        }
    }
}
