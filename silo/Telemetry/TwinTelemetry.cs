using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace CityOps.Twin.Silo.Telemetry;

/// <summary>
/// The twin's telemetry through OpenTelemetry, as a city's IT team plugs it in. Metrics: Orleans' meter
/// ("Microsoft.Orleans": grain calls, activations, messaging, storage, reminders, streams), the twin's own
/// ("CityOps.Twin.*": readings, alarms, cases, the view's dropped frames, write-behind lag, the audit queue),
/// ASP.NET Core, HttpClient, the .NET runtime and Npgsql; served to Prometheus at <c>/metrics</c> (see
/// <see cref="ScrapeGate"/> for who may read it) unless <c>Telemetry:Prometheus:Enabled</c> is false, and pushed over
/// OTLP (http/protobuf) when <c>Telemetry:OtlpEndpoint</c> is set. Traces, only with an OTLP endpoint: each HTTP
/// request with the grain calls it makes (Orleans' activity propagation carries the trace through every call) and
/// its Npgsql commands, Orleans' sources ("Microsoft.Orleans.*") and the twin's.
/// </summary>
public static class TwinTelemetry
{
    /// <summary>Orleans' one meter: grain calls, activations, messaging, storage, reminders, streams.</summary>
    public const string OrleansMeter = "Microsoft.Orleans";

    /// <summary>Orleans' activity sources (application and runtime grain calls, storage, lifecycle).</summary>
    public const string OrleansSources = "Microsoft.Orleans.*";

    /// <summary>The twin's own meters and sources (<see cref="IngestionMeter"/>, <see cref="CityMeter"/>, the view's frames...).</summary>
    public const string TwinInstruments = "CityOps.Twin.*";

    /// <summary>Where Prometheus scrapes.</summary>
    public const string ScrapePath = "/metrics";

    /// <summary>The service name every exported signal carries (OpenTelemetry's service.name).</summary>
    public const string ServiceName = "cityops-twin";

    /// <exception cref="InvalidOperationException">A Telemetry setting is malformed; the message says which.</exception>
    public static IServiceCollection AddTwinTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = TelemetrySettings.From(configuration);
        services.AddSingleton(settings);
        services.AddSingleton<IngestionMeter>();
        services.AddSingleton<CityMeter>();
        if (!settings.PrometheusEnabled && settings.OtlpEndpoint is null)
        {
            // Nothing reads the instruments: Orleans' hot paths record nothing.
            return services;
        }

        var telemetry = services.AddOpenTelemetry().ConfigureResource(resource => resource.AddService(ServiceName));
        telemetry.WithMetrics(metrics =>
        {
            metrics.AddMeter(OrleansMeter, TwinInstruments)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddNpgsqlInstrumentation();
            if (settings.PrometheusEnabled)
            {
                metrics.AddPrometheusExporter();
            }
            if (settings.OtlpEndpoint is { } endpoint)
            {
                metrics.AddOtlpExporter((exporter, reader) =>
                {
                    Point(exporter, endpoint, "v1/metrics");
                    reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = settings.ExportIntervalMilliseconds;
                });
            }
        });
        if (settings.OtlpEndpoint is { } traces)
        {
            telemetry.WithTracing(tracing => tracing
                .SetSampler(new ParentBasedSampler(new RequestTraceSampler(settings.TraceSampleRatio, settings.TraceBackgroundWork)))
                .AddSource(OrleansSources, TwinInstruments)
                // Probes and scrapes come every few seconds and say nothing about the city.
                .AddAspNetCoreInstrumentation(aspNet => aspNet.Filter = http =>
                    !http.Request.Path.StartsWithSegments(ScrapePath) && !http.Request.Path.StartsWithSegments("/healthz"))
                .AddHttpClientInstrumentation()
                .AddNpgsql()
                .AddOtlpExporter(exporter => Point(exporter, traces, "v1/traces")));
            // Grain calls start their spans under the caller's (an HTTP request's, or another grain's) and carry the
            // trace context to the grain they call, on this silo or another. Joins the silo the twin already built.
            services.AddOrleans(silo => silo.AddActivityPropagation());
        }
        return services;
    }

    /// <summary>Serves <c>/metrics</c> to the listed addresses and signed-in Admins, when Prometheus is enabled.</summary>
    public static WebApplication MapTwinTelemetry(this WebApplication app)
    {
        // The city's gauges exist from the start, not from the first request that happens to need the meter.
        app.Services.GetRequiredService<CityMeter>();
        if (app.Services.GetRequiredService<TelemetrySettings>().PrometheusEnabled)
        {
            app.MapPrometheusScrapingEndpoint(ScrapePath, meterProvider: null, configureBranchedPipeline: scrape => scrape.Use(ScrapeGate.AdmitAsync), optionsName: null);
        }
        return app;
    }

    /// <summary>One signal's OTLP/HTTP path under the collector's address (which may itself have a path).</summary>
    private static void Point(OtlpExporterOptions exporter, Uri collector, string signalPath)
    {
        exporter.Protocol = OtlpExportProtocol.HttpProtobuf;
        var root = collector.AbsoluteUri.EndsWith('/') ? collector : new Uri(collector.AbsoluteUri + "/");
        exporter.Endpoint = new Uri(root, signalPath);
    }
}
