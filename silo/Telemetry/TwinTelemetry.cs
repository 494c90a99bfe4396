using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace CityOps.Twin.Silo.Telemetry;

/// <summary>
/// Sends Orleans' metrics and traces (meter "Microsoft.Orleans", activity sources "Microsoft.Orleans.*") with the
/// twin's own (meters and sources "CityOps.Twin.*") to an OpenTelemetry collector over OTLP when
/// <c>Telemetry:OtlpEndpoint</c> is set (e.g. --Telemetry:OtlpEndpoint http://127.0.0.1:4318). Without it
/// the instruments still exist for any in-process listener, and nothing leaves the machine.
/// </summary>
public static class TwinTelemetry
{
    /// <summary>Orleans' one meter: grain calls, activations, messaging, storage, reminders, streams.</summary>
    public const string OrleansMeter = "Microsoft.Orleans";

    /// <summary>Orleans' activity sources (runtime and application grain calls).</summary>
    public const string OrleansSources = "Microsoft.Orleans.*";

    /// <summary>The twin's own instruments (the audit log's queue, ingestion, the view's frames...).</summary>
    public const string TwinInstruments = "CityOps.Twin.*";

    public static IServiceCollection AddTwinTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        if (configuration["Telemetry:OtlpEndpoint"] is not { Length: > 0 } endpointText)
        {
            return services;
        }

        if (!Uri.TryCreate(endpointText, UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("http" or "https"))
        {
            throw new InvalidOperationException($"Telemetry:OtlpEndpoint '{endpointText}' is not an http(s) address of an OTLP collector.");
        }

        var interval = configuration.GetValue("Telemetry:ExportIntervalMilliseconds", 10_000);
        services.AddSingleton(_ => Sdk.CreateMeterProviderBuilder()
            .AddMeter(OrleansMeter, TwinInstruments)
            .AddOtlpExporter((exporter, reader) =>
            {
                exporter.Protocol = OtlpExportProtocol.HttpProtobuf;
                exporter.Endpoint = new Uri(endpoint, "v1/metrics");
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = interval;
            })
            .Build());
        services.AddSingleton(_ => Sdk.CreateTracerProviderBuilder()
            .AddSource(OrleansSources, TwinInstruments)
            .AddOtlpExporter(exporter =>
            {
                exporter.Protocol = OtlpExportProtocol.HttpProtobuf;
                exporter.Endpoint = new Uri(endpoint, "v1/traces");
            })
            .Build());
        services.AddHostedService<TelemetryStarter>();
        return services;
    }

    /// <summary>Builds the providers when the host starts, so export begins without waiting for a first request.</summary>
    private sealed class TelemetryStarter(MeterProvider meters, TracerProvider traces) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken)
        {
            meters.ForceFlush(5_000);
            traces.ForceFlush(5_000);
            return Task.CompletedTask;
        }
    }
}
