using System.Globalization;
using CityOps.Twin.Silo.City;
using Microsoft.Extensions.Configuration;

namespace CityOps.Twin.Silo.Hosting;

/// <summary>
/// Where a silo keeps its state and which city it runs, from the command line (--data, --storage, --connection, --city,
/// --City:GridToleranceMeters) or configuration.
/// </summary>
public sealed record SiloSettings(
    string DataFolder,
    StorageKind Storage,
    string? ConnectionString,
    string? CityManifest = null,
    string? CaseCategoriesFile = null,
    string? SensorRulesFile = null,
    double GridToleranceMeters = CityRegistry.DefaultGridToleranceMeters)
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
            tolerance);
    }

    public string Describe() => Storage switch
    {
        StorageKind.Sqlite => $"SQLite {SqlitePath}",
        StorageKind.Postgres => "PostgreSQL " + new Npgsql.NpgsqlConnectionStringBuilder(ConnectionString) { Password = null }.ConnectionString,
        _ => "memory (nothing is kept after the silo stops)",
    };
}

public enum StorageKind
{
    Sqlite,
    Postgres,
    Memory,
}

public sealed class SiloSettingsException(string message) : Exception(message);
