using System.Diagnostics;
using CityOps.Twin.Grains;
using CityOps.Twin.Grains.Sensors;
using CityOps.Twin.Silo.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Storage;

namespace CityOps.Twin.Bench;

/// <summary>
/// Adds sensor states to a silo's database that no sensor of its city will ask for (keys EXTRA-0000000 on), as a
/// city that once had many more sensors leaves them: a restart must not read them. They are written by the twin's
/// own storage under the silo's service id, in a silo of this process started for the purpose, so that their rows
/// are keyed exactly as the silo keys its own (the key columns, the hashes), whatever the schema.
/// </summary>
internal static class PersistedSensorStates
{
    /// <summary>The latest reading (the sensor's "live" state), written behind, so the storage batches them.</summary>
    public static async Task AddAsync(StorageKind kind, string connectionString, int count)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.AddConsole().SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(LoopbackPort.Free(), LoopbackPort.Free(), serviceId: Silo.Hosting.TwinSiloExtensions.ServiceId, clusterId: "bench-persisted-states");
            silo.AddTwinStorage(storage =>
            {
                storage.Kind = kind;
                storage.ConnectionString = connectionString;
                storage.JsonTypes = TwinGrains.StateTypes;
                storage.WriteBehind["live"] = TimeSpan.FromSeconds(1);
            });
        });
        using var host = builder.Build();
        await host.StartAsync();
        var storage = (GroupCommitGrainStorage)host.Services.GetRequiredKeyedService<IGrainStorage>(TwinGrains.Storage);
        for (var i = 0; i < count; i++)
        {
            var state = new GrainState<SensorLiveState>(new SensorLiveState { Value = i % 97 / 10.0, MeasuredAt = ReadingWorkload.Epoch });
            await storage.WriteStateAsync("live", GrainId.Create("sensor", $"EXTRA-{i:D7}"), state);
        }
        var saving = Stopwatch.StartNew();
        while (storage.Unsaved > 0)
        {
            if (saving.Elapsed > TimeSpan.FromMinutes(5))
            {
                throw new TimeoutException($"{storage.Unsaved:N0} of {count:N0} extra sensor states were still unsaved after 5 minutes.");
            }
            await Task.Delay(100);
        }
        await host.StopAsync();
    }
}
