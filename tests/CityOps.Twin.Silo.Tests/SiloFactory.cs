using System.Net.Http.Json;
using CityOps.Twin.Contracts.Live;
using CityOps.Twin.Contracts.Security;
using CityOps.Twin.Grains;
using CityOps.Twin.Silo.City;
using CityOps.Twin.Silo.Security;
using CityOps.Twin.Silo.Storage;
using CityOps.Twin.Tests.Shared;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Orleans.Reminders;
using Orleans.Storage;
using Orleans.TestingHost;

namespace CityOps.Twin.Silo.Tests;

/// <summary>The real silo in process, configured as its command line would (--data, --storage, --connection, ...).</summary>
public sealed class SiloFactory(params (string Key, string Value)[] settings) : WebApplicationFactory<Program>
{
    /// <summary>Completes when the demo city has been filed into the grains (the silo files it in the background).</summary>
    public Task WhenCityFiledAsync() => Services.GetRequiredService<CitySeeder>().Filed.WaitAsync(TimeSpan.FromMinutes(3));

    public static string NewDataFolder() => Path.Combine(Path.GetTempPath(), "cityops-silo-tests", Guid.NewGuid().ToString("N"));

    /// <summary>The silo's warnings and errors.</summary>
    public Support.CapturedLogs Logs { get; } = new();

    /// <summary>Replaces services after the silo's own.</summary>
    public Action<IServiceCollection>? ConfigureServices { get; init; }

    /// <summary>What the silo's live feed delivers, for tests that wait until the changes they caused were heard.</summary>
    public Support.TwinChangeWatch Changes { get; } = new();

    /// <summary>
    /// A clock the test moves: grain code, grain timers and reminders read it; Orleans' own maintenance (membership,
    /// messaging timeouts, activation collection) stays on real time, so moving it by days expires nothing.
    /// </summary>
    public FakeTimeProvider? Clock { get; init; }

    /// <summary>
    /// Completes once every write-behind state written so far is in the database (the hot states are saved within
    /// a second or a few; a memory silo has none).
    /// </summary>
    public async Task WhenWriteBehindSavedAsync(TimeSpan timeout)
    {
        if (Services.GetRequiredKeyedService<IGrainStorage>(TwinGrains.Storage) is not GroupCommitGrainStorage storage)
        {
            return;
        }
        await Eventually.TrueAsync(() => storage.Unsaved == 0, timeout, () => $"the write-behind states are saved ({storage.Unsaved} are not)");
    }

    /// <summary>
    /// A client signed in (through the sign-in API) as a new user with these roles, every role if none are named,
    /// that also carries an API key for every device and Open311: what most API tests need to act as the city's staff.
    /// </summary>
    public async Task<HttpClient> CreateTwinClientAsync(params TwinRole[] roles)
    {
        var client = await SignedInClientAsync(roles);
        client.DefaultRequestHeaders.Add(IngestionKeys.Header, await NewKeyAsync(["*"], open311: true));
        return client;
    }

    /// <summary>A client signed in as a new user with these roles (every role if none), and no API key.</summary>
    public Task<HttpClient> SignedInClientAsync(params TwinRole[] roles) =>
        SignedInAsAsync($"{string.Join("-", roles.Length == 0 ? ["all"] : roles.Select(r => r.ToString())).ToLowerInvariant()}-{Interlocked.Increment(ref _users)}-{Guid.NewGuid().ToString("N")[..6]}", roles);

    /// <summary>A client signed in as a new user of this name with these roles (every role if none).</summary>
    public async Task<HttpClient> SignedInAsAsync(string name, params TwinRole[] roles)
    {
        roles = roles.Length == 0 ? Enum.GetValues<TwinRole>() : roles;
        var password = await Services.GetRequiredService<UserDirectory>().CreateAsync(name, roles);
        var client = CreateClient();
        var response = await client.PostAsJsonAsync("/api/account/signin", new { name, password });
        response.EnsureSuccessStatusCode();
        return client;
    }

    /// <summary>A new API key's secret for these device patterns.</summary>
    public async Task<string> NewKeyAsync(IReadOnlyCollection<string> devices, bool open311 = false)
    {
        var (_, secret) = await Services.GetRequiredService<ApiKeyDirectory>().CreateAsync($"test key {Interlocked.Increment(ref _users)}", devices, open311, "tests");
        return secret;
    }

    /// <summary>A client with an API key and no sign-in, as a device gateway.</summary>
    public async Task<HttpClient> KeyClientAsync(IReadOnlyCollection<string> devices, bool open311 = false)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add(IngestionKeys.Header, await NewKeyAsync(devices, open311));
        return client;
    }

    private int _users;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<ITwinChangeListener>(Changes);
            if (Clock is { } clock)
            {
                // After the silo's own registrations: the last one of a key wins. Every area Orleans resolves by
                // key reads real time, but for grains and reminders.
                services.AddSingleton<TimeProvider>(clock);
                services.AddKeyedSingleton<TimeProvider>(KeyedService.AnyKey, TimeProvider.System);
                services.UseTimeProviderForBackgroundAreas(TimeProvider.System);
                services.AddKeyedSingleton<TimeProvider>(Orleans.Runtime.TimeProviderNames.Grains, clock);
                services.AddKeyedSingleton<TimeProvider>(ReminderTimeProviderNames.Reminders, clock);
            }
            ConfigureServices?.Invoke(services);
        });
        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
        // As the README's run command does: not Development, which would hide missing static-asset setup.
        builder.UseEnvironment("Production");
        // The tests drive every device themselves; random live readings would change what they check.
        builder.UseSetting("Simulation:ReadingsPerSecond", "0");
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
    }
}
