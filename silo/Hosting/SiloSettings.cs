using System.Globalization;
using System.Net;
using CityOps.Twin.Silo.City;
using Microsoft.Extensions.Configuration;

namespace CityOps.Twin.Silo.Hosting;

/// <summary>
/// Where a silo keeps its state, which city it runs and which cluster it joins, from the command line (--data,
/// --storage, --connection, --city, --City:GridToleranceMeters, --cluster) or configuration.
/// </summary>
public sealed record SiloSettings(
    string DataFolder,
    StorageKind Storage,
    string? ConnectionString,
    string? CityManifest = null,
    string? CaseCategoriesFile = null,
    string? SensorRulesFile = null,
    double GridToleranceMeters = CityRegistry.DefaultGridToleranceMeters,
    ClusterSettings? Cluster = null)
{
    public const string DatabaseFileName = "cityops-twin.db";

    public string SqlitePath => Path.Combine(DataFolder, DatabaseFileName);

    /// <exception cref="SiloSettingsException">A setting is missing or malformed; the message says which and what is allowed.</exception>
    public static SiloSettings From(IConfiguration configuration)
    {
        var data = configuration["data"] is { Length: > 0 } folder ? folder : "data";
        var storageText = configuration["storage"] ?? "sqlite";
        if (!Enum.TryParse<StorageKind>(storageText, ignoreCase: true, out var storage) || !Enum.IsDefined(storage))
        {
            throw new SiloSettingsException($"--storage '{storageText}' is not a storage; use sqlite (the default, a file under --data), postgres (with --connection) or memory.");
        }

        var connection = configuration["connection"];
        if (storage == StorageKind.Postgres && string.IsNullOrWhiteSpace(connection))
        {
            throw new SiloSettingsException("--storage postgres needs --connection \"Host=...;Port=...;Username=...;Password=...;Database=...\".");
        }
        if (storage != StorageKind.Postgres && !string.IsNullOrWhiteSpace(connection))
        {
            throw new SiloSettingsException($"--connection is only for --storage postgres; this silo uses {storage.ToString().ToLowerInvariant()}.");
        }

        string? File(string option, string what)
        {
            var path = configuration[option];
            if (path is not null && !System.IO.File.Exists(path))
            {
                throw new SiloSettingsException($"--{option} '{path}' is not a file; it names {what}.");
            }
            return path is null ? null : Path.GetFullPath(path);
        }

        var tolerance = CityRegistry.DefaultGridToleranceMeters;
        if (configuration["City:GridToleranceMeters"] is { } toleranceText
            && !(double.TryParse(toleranceText, NumberStyles.Float, CultureInfo.InvariantCulture, out tolerance)
                 && tolerance is >= 0 and <= CityRegistry.MaxGridToleranceMeters))
        {
            throw new SiloSettingsException($"--City:GridToleranceMeters '{toleranceText}' is not a distance from 0 to {CityRegistry.MaxGridToleranceMeters} metres; it is how far outside a grid's polygon a point may lie and still be in it (boundary rounding, {CityRegistry.DefaultGridToleranceMeters} by default).");
        }

        return new SiloSettings(Path.GetFullPath(data), storage, connection,
            File("city", "a city manifest (see README, \"City import\")"),
            File("case-categories", "a case category catalogue of the shape of grains/Cases/case-categories.json"),
            File("sensor-rules", "sensor rules of the shape of grains/Sensors/sensor-rules.json"),
            tolerance,
            ClusterSettings.From(configuration, storage));
    }

    public string Describe() => Storage switch
    {
        StorageKind.Sqlite => $"SQLite {SqlitePath}",
        StorageKind.Postgres => "PostgreSQL " + new Npgsql.NpgsqlConnectionStringBuilder(ConnectionString) { Password = null }.ConnectionString,
        _ => "memory (nothing is kept after the silo stops)",
    };
}

/// <summary>
/// A silo's place in a cluster of silos over one PostgreSQL database (--cluster, --silo-port, --gateway-port,
/// --advertise): Orleans' ADO.NET membership table in that database says who is in it.
/// </summary>
public sealed record ClusterSettings(string Id, int SiloPort, int GatewayPort, IPAddress Advertise)
{
    /// <summary>Orleans' own defaults: one silo per machine needs no port options.</summary>
    public const int DefaultSiloPort = 11111;

    public const int DefaultGatewayPort = 30000;

    /// <exception cref="SiloSettingsException">A cluster option is malformed or the storage cannot hold a cluster.</exception>
    public static ClusterSettings? From(IConfiguration configuration, StorageKind storage)
    {
        var id = configuration["cluster"];
        if (id is null)
        {
            return null;
        }
        if (string.IsNullOrWhiteSpace(id) || id.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
        {
            throw new SiloSettingsException($"--cluster '{id}' is not a cluster id; use letters, digits, '-', '_' or '.' (every silo of one cluster gives the same).");
        }
        if (storage != StorageKind.Postgres)
        {
            throw new SiloSettingsException($"--cluster needs --storage postgres (the cluster's membership, state and reminders live in one PostgreSQL); this silo uses {storage.ToString().ToLowerInvariant()}.");
        }
        var silo = Port(configuration, "silo-port", DefaultSiloPort);
        var gateway = Port(configuration, "gateway-port", DefaultGatewayPort);
        if (silo == gateway)
        {
            throw new SiloSettingsException($"--silo-port and --gateway-port are both {silo}; they must differ.");
        }
        var advertiseText = configuration["advertise"] ?? "127.0.0.1";
        if (!IPAddress.TryParse(advertiseText, out var advertise) || IPAddress.Any.Equals(advertise) || IPAddress.IPv6Any.Equals(advertise))
        {
            throw new SiloSettingsException($"--advertise '{advertiseText}' is not an address the other silos can reach this one at; give this machine's IP address (default 127.0.0.1, a cluster on one machine).");
        }
        return new ClusterSettings(id, silo, gateway, advertise);
    }

    private static int Port(IConfiguration configuration, string option, int fallback)
    {
        var text = configuration[option];
        if (text is null)
        {
            return fallback;
        }
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535
            ? port
            : throw new SiloSettingsException($"--{option} '{text}' is not a TCP port (1 to 65535); each silo of a cluster on one machine needs its own, the same at every start.");
    }

    public override string ToString() => $"cluster '{Id}', silo {Advertise}:{SiloPort}, gateway {GatewayPort}";
}

public enum StorageKind
{
    Sqlite,
    Postgres,
    Memory,
}

public sealed class SiloSettingsException(string message) : Exception(message);
