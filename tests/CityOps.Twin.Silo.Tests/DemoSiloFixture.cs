using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CityOps.Twin.Silo.Tests;

/// <summary>One silo with the demo city in memory, shared by the API tests: filing the city takes a few seconds.</summary>
public sealed class DemoSiloFixture : IAsyncLifetime
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    // The fuzz tests send ten thousand batches as fast as they can on one key.
    public SiloFactory Silo { get; } = new(("data", SiloFactory.NewDataFolder()), ("storage", "memory"), ("Security:KeyRequestsPerSecond", "1000000"), ("Security:KeyBurst", "1000000"));

    /// <summary>Signed in with every role, and carrying an API key for every device and Open311.</summary>
    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Silo.WhenCityFiledAsync();
        Client = await Silo.CreateTwinClientAsync();
    }

    public async Task<T> GetAsync<T>(string path) => (await Client.GetFromJsonAsync<T>(path, Json))!;

    public async Task DisposeAsync() => await Silo.DisposeAsync();
}

/// <summary>The API test classes share one demo silo; the tests of a collection run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class DemoSiloCollection : ICollectionFixture<DemoSiloFixture>
{
    public const string Name = "demo silo";
}
