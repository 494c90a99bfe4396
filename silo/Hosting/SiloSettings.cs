using Microsoft.Extensions.Configuration;

namespace CityOps.Twin.Silo.Hosting;

/// <summary>Where a silo keeps its state, from the command line (--data, --storage, --connection) or configuration.</summary>
public sealed record SiloSettings(string DataFolder, StorageKind Storage, string? ConnectionString)
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

        return new SiloSettings(Path.GetFullPath(data), storage, connection);
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
