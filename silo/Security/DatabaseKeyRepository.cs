using System.Xml.Linq;
using CityOps.Twin.Silo.Storage;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace CityOps.Twin.Silo.Security;

/// <summary>
/// ASP.NET data protection's key ring in the twin's PostgreSQL (table <c>twin_data_protection_key</c>), so every silo
/// of a cluster reads and writes the same keys: a sign-in cookie or antiforgery token issued by one silo is valid on
/// all, and a silo started later or replaced finds them. Keys are XML documents the key manager writes rarely (one
/// every 90 days by default) and reads once per refresh; the table is created on first use.
/// </summary>
public sealed class DatabaseKeyRepository(TwinDatabase database) : IXmlRepository
{
    private const string CreateTable = """
        CREATE TABLE IF NOT EXISTS twin_data_protection_key (
            name text PRIMARY KEY,
            xml text NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now())
        """;

    private int _created;

    public IReadOnlyCollection<XElement> GetAllElements() => ReadAsync().GetAwaiter().GetResult();

    public void StoreElement(XElement element, string friendlyName) => StoreAsync(element, friendlyName).GetAwaiter().GetResult();

    private async Task<IReadOnlyCollection<XElement>> ReadAsync()
    {
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT xml FROM twin_data_protection_key ORDER BY created_at, name";
        var keys = new List<XElement>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            keys.Add(XElement.Parse(reader.GetString(0)));
        }
        return keys;
    }

    private async Task StoreAsync(XElement element, string friendlyName)
    {
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        // Two silos creating the first key at once both keep theirs (names are the keys' ids): the ring holds both.
        command.CommandText = "INSERT INTO twin_data_protection_key (name, xml) VALUES (@name, @xml) ON CONFLICT (name) DO NOTHING";
        command.AddParameter("name", friendlyName);
        command.AddParameter("xml", element.ToString(SaveOptions.DisableFormatting));
        await command.ExecuteNonQueryAsync();
    }

    private async Task<System.Data.Common.DbConnection> OpenAsync()
    {
        var connection = await database.OpenAsync(CancellationToken.None);
        if (Volatile.Read(ref _created) == 0)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = CreateTable;
            try
            {
                await command.ExecuteNonQueryAsync();
            }
            catch (Npgsql.PostgresException exception) when (exception.SqlState is Npgsql.PostgresErrorCodes.UniqueViolation or Npgsql.PostgresErrorCodes.DuplicateTable)
            {
                // Another silo created it in the same instant ("IF NOT EXISTS" does not cover the race).
            }
            Volatile.Write(ref _created, 1);
        }
        return connection;
    }
}
