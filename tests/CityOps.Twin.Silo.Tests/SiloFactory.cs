using Microsoft.AspNetCore.Hosting;
using CityOps.Twin.Silo.City;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CityOps.Twin.Silo.Tests;

/// <summary>The real silo in process, configured as its command line would (--data, --storage, --connection, ...).</summary>
public sealed class SiloFactory(params (string Key, string Value)[] settings) : WebApplicationFactory<Program>
{
    /// <summary>Completes when the demo city has been filed into the grains (the silo files it in the background).</summary>
    public Task WhenCityFiledAsync() => Services.GetRequiredService<CitySeeder>().Filed.WaitAsync(TimeSpan.FromMinutes(3));

    public static string NewDataFolder() => Path.Combine(Path.GetTempPath(), "cityops-silo-tests", Guid.NewGuid().ToString("N"));

    /// <summary>The silo's warnings and errors.</summary>
    public Support.CapturedLogs Logs { get; } = new();

    /// <summary>Replaces services after the silo's own, e.g. a manual clock.</summary>
    public Action<IServiceCollection>? ConfigureServices { get; init; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.ConfigureTestServices(services => ConfigureServices?.Invoke(services));
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
