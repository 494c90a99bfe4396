using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace CityOps.Twin.Silo.Tests;

/// <summary>The real silo in process, configured as its command line would (--data, --storage, --connection, ...).</summary>
public sealed class SiloFactory(params (string Key, string Value)[] settings) : WebApplicationFactory<Program>
{
    public static string NewDataFolder() => Path.Combine(Path.GetTempPath(), "cityops-silo-tests", Guid.NewGuid().ToString("N"));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // As the README's run command does: not Development, which would hide missing static-asset setup.
        builder.UseEnvironment("Production");
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
    }
}
