using System.Globalization;
using System.Net;
using System.Numerics;

namespace CityOps.Twin.Silo.Telemetry;

/// <summary>
/// The <c>Telemetry</c> section: where OTLP goes (<c>OtlpEndpoint</c>, <c>ExportIntervalMilliseconds</c>,
/// <c>TraceSampleRatio</c>, <c>TraceBackgroundWork</c>) and who may scrape <c>/metrics</c> (<c>Prometheus:Enabled</c>,
/// <c>Prometheus:AllowedAddresses</c>). A value that cannot be used stops the silo with what and where.
/// </summary>
public sealed record TelemetrySettings(
    Uri? OtlpEndpoint,
    int ExportIntervalMilliseconds,
    double TraceSampleRatio,
    bool TraceBackgroundWork,
    bool PrometheusEnabled,
    IReadOnlyList<IPNetwork> ScrapeAddresses)
{
    /// <summary>OpenTelemetry's own default interval for a periodic metric export.</summary>
    public const int DefaultExportIntervalMilliseconds = 10_000;

    /// <exception cref="InvalidOperationException">A setting is malformed; the message names it and its value.</exception>
    public static TelemetrySettings From(IConfiguration configuration)
    {
        var section = configuration.GetSection("Telemetry");
        Uri? endpoint = null;
        if (section["OtlpEndpoint"] is { Length: > 0 } endpointText)
        {
            if (!Uri.TryCreate(endpointText, UriKind.Absolute, out endpoint) || endpoint.Scheme is not ("http" or "https"))
            {
                throw new InvalidOperationException($"Telemetry:OtlpEndpoint '{endpointText}' is not an http(s) address of an OTLP collector (e.g. http://127.0.0.1:4318).");
            }
        }
        var interval = Number(section, "ExportIntervalMilliseconds", DefaultExportIntervalMilliseconds);
        if (interval < 100)
        {
            throw new InvalidOperationException($"Telemetry:ExportIntervalMilliseconds '{interval}' is below 100 ms.");
        }
        var ratio = Number(section, "TraceSampleRatio", 1.0);
        if (ratio is < 0 or > 1)
        {
            throw new InvalidOperationException($"Telemetry:TraceSampleRatio '{ratio}' is not between 0 (no traces) and 1 (every trace).");
        }
        return new TelemetrySettings(endpoint, interval, ratio, Switch(section, "TraceBackgroundWork", false), Switch(section, "Prometheus:Enabled", true),
            [.. Entries(section.GetSection("Prometheus:AllowedAddresses")).Select(Network)]);
    }

    /// <summary>Whether a scrape from this address needs no sign-in.</summary>
    public bool MayScrape(IPAddress? address)
    {
        if (address is null)
        {
            return false;
        }
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        return ScrapeAddresses.Any(network => network.Contains(address));
    }

    /// <summary>A list given as one value ("10.0.0.5, 10.1.0.0/16") or as items (AllowedAddresses:0, :1, ...).</summary>
    private static IEnumerable<string> Entries(IConfigurationSection list) =>
        list.Value is { } single
            ? single.Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : list.GetChildren().Select(item => item.Value?.Trim() ?? "").Where(item => item.Length > 0);

    private static IPNetwork Network(string entry)
    {
        if (IPAddress.TryParse(entry, out var address) && !entry.Contains('/'))
        {
            return new IPNetwork(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
        }
        return IPNetwork.TryParse(entry, out var network)
            ? network
            : throw new InvalidOperationException(
                $"Telemetry:Prometheus:AllowedAddresses: '{entry}' is not an IP address or a network in CIDR form with its host bits zero (e.g. 10.20.0.7 or 10.20.0.0/16).");
    }

    private static bool Switch(IConfigurationSection section, string key, bool fallback) => section[key] switch
    {
        null or "" => fallback,
        var text when bool.TryParse(text, out var value) => value,
        var text => throw new InvalidOperationException($"Telemetry:{key} '{text}' is not true or false."),
    };

    private static T Number<T>(IConfigurationSection section, string key, T fallback) where T : struct, INumber<T>
    {
        var text = section[key];
        if (text is not { Length: > 0 })
        {
            return fallback;
        }
        return T.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new InvalidOperationException($"Telemetry:{key} '{text}' is not a number.");
    }
}
