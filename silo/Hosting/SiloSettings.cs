using Microsoft.Extensions.Configuration;

namespace CityOps.Twin.Silo.Hosting;

/// <summary>Where a silo keeps its state and which city it runs, from the command line (--data, --storage, --connection, --city) or configuration.</summary>
public sealed record SiloSettings(string DataFolder, StorageKind Storage, string? ConnectionString, string? CityManifest = null)
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

        var city = configuration["city"];
        if (city is not null && !File.Exists(city))
        {
            throw new SiloSettingsException($"--city '{city}' is not a file; it names a city manifest (see README, \"City import\").");
        }

        return new SiloSettings(Path.GetFullPath(data), storage, connection, city is null ? null : Path.GetFullPath(city));
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
