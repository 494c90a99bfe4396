namespace CityOps.Twin.Silo.Tests.History;

/// <summary>
/// One silo over SQLite with the history on, shared by the history API's tests; its answers hold at most 100 rows
/// (History:MaxRows), so a long range is quick to make.
/// </summary>
public sealed class HistorySiloFixture : IAsyncLifetime
{
    public const int MaxRows = 100;

    public SiloFactory Silo { get; } = new(("data", SiloFactory.NewDataFolder()), ("History:MaxRows", MaxRows.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>Signed in with every role, and carrying an API key for every device.</summary>
    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Silo.WhenCityFiledAsync();
        Client = await Silo.CreateTwinClientAsync();
    }

    public async Task DisposeAsync() => await Silo.DisposeAsync();
}
