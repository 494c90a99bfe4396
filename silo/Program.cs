using System.Text.Json.Serialization;
using CityOps.Twin.Silo.Api;
using CityOps.Twin.Silo.City;
using CityOps.Twin.Silo.Drills;
using CityOps.Twin.Silo.Hosting;
using CityOps.Twin.Silo.Security;
using CityOps.Twin.Silo.Simulation;
using CityOps.Twin.Silo.Telemetry;
using CityOps.Twin.Web;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

if (args.Length > 0 && args[0] == "drill")
{
    try
    {
        return await DrillCommand.RunAsync(args[1..], Console.Out, Console.Error, TerminalProgress.StandardOutput());
    }
    catch (Exception exception) when (exception is DrillScenarioException or InvalidDataException or CityOps.Twin.Grains.Spatial.GeoJsonFormatException)
    {
        Console.Error.WriteLine($"cityops-twin drill: {exception.Message}");
        return 2;
    }
}

var builder = WebApplication.CreateBuilder(args);

SiloSettings settings;
try
{
    settings = SiloSettings.From(builder.Configuration);
    // The twin view's styles live in the web project; outside a published build they are found through its
    // static web assets manifest, which ASP.NET reads only in Development unless asked.
    builder.WebHost.UseStaticWebAssets();
    builder.AddTwinSilo(settings);
}
catch (Exception exception) when (exception is SiloSettingsException or InvalidDataException or ArgumentException or CityOps.Twin.Grains.Spatial.GeoJsonFormatException)
{
    Console.Error.WriteLine($"cityops-twin: {exception.Message}");
    return 2;
}
// Stopping saves every grain's hot state and deactivates the whole city: more than the default 30 s may be needed.
builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromMinutes(2));
builder.Services.AddTwinTelemetry(builder.Configuration);
builder.Services.AddTwinView();
builder.Services.AddTwinSecurity(builder.Configuration);
builder.Services.AddTwinHealthChecks();
builder.AddTwinDashboard();
builder.Services.Configure<IngestionOptions>(builder.Configuration.GetSection("Ingestion"));
builder.Services.Configure<SimulationOptions>(builder.Configuration.GetSection("Simulation"));
builder.Services.AddSingleton<CitySimulator>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<CitySimulator>());
builder.Services.AddOpenApi();
// The map's fixed layer and the GeoJSON exports are large and compress about four to one.
builder.Services.AddResponseCompression(compression => compression.MimeTypes = ["application/json", "application/geo+json", "application/cap+xml"]);
builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));

var app = builder.Build();
app.UseResponseCompression();
app.UseTwinSecurity();
app.UseAntiforgery();
app.MapTwinHealth();
app.MapOpenApi();
app.MapIngestionApi();
app.MapCaseApi();
app.MapCityApi();
app.MapHistoryApi();
app.MapModeApi();
app.MapCapApi();
app.MapDrillApi();
app.MapGeoJsonApi();
app.MapOpen311Api();
app.MapAccountApi();
app.MapAdminApi();
app.MapClusterApi();
app.MapTwinDashboard();
app.MapTwinTelemetry();
app.MapTwinView();

app.Lifetime.ApplicationStarted.Register(() =>
{
    var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
    foreach (var address in addresses)
    {
        Console.WriteLine($"CityOps.Twin: twin view at {address}/  API at {address}/api (OpenAPI: {address}/openapi/v1.json, health: {address}/healthz)");
    }
    Console.WriteLine($"CityOps.Twin: state in {settings.Describe()}");
});

app.Run();
return 0;

/// <summary>The entry point's type, for WebApplicationFactory in the silo's tests.</summary>
public partial class Program;
