using System.Net.Http.Json;
using CityOps.Twin.Contracts.Security;

namespace CityOps.Twin.Silo.Tests.Security;

/// <summary>One silo over SQLite for the security tests, with a signed-in client per role and a small rate per key.</summary>
public sealed class SecuritySiloFixture : IAsyncLifetime
{
    public const int KeyRate = 5;

    public string DataFolder { get; } = SiloFactory.NewDataFolder();

    public SiloFactory Silo { get; }

    public SecuritySiloFixture() =>
        Silo = new SiloFactory(("data", DataFolder), ("Security:KeyRequestsPerSecond", KeyRate.ToString()), ("Security:KeyBurst", KeyRate.ToString()));

    public Dictionary<TwinRole, HttpClient> Clients { get; } = [];

    public Dictionary<TwinRole, string> Names { get; } = [];

    public async Task InitializeAsync()
    {
        Silo.CreateClient();
        await Silo.WhenCityFiledAsync();
        foreach (var role in Enum.GetValues<TwinRole>())
        {
            Names[role] = $"only-{role}".ToLowerInvariant();
            Clients[role] = await Silo.SignedInAsAsync(Names[role], role);
        }
    }

    /// <summary>The newest audit lines, read as the administrator.</summary>
    public async Task<List<AuditEntry>> AuditAsync(string? actor = null, string? action = null) =>
        (await Clients[TwinRole.Admin].GetFromJsonAsync<List<AuditEntry>>($"/api/admin/audit?count=500&actor={Uri.EscapeDataString(actor ?? "")}&action={Uri.EscapeDataString(action ?? "")}", DemoSiloFixture.Json))!;

    public async Task DisposeAsync() => await Silo.DisposeAsync();
}
