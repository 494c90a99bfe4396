using System.Text.Json.Serialization;
using CityOps.Twin.Silo.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Hosting;

namespace CityOps.Twin.Bench;

/// <summary>
/// Grain state writes per second on SQLite (one file, WAL): Orleans' own ADO.NET grain storage, one transaction per
/// write, against the twin's group commit over the same schema, with the same concurrent grains writing through
/// (each write acknowledged after its commit). Both silos run side by side, each on a file of its own.
/// </summary>
internal static class StorageBenchmark
{
    public static async Task RunAsync(bool quick)
    {
        var grains = quick ? 16 : 64;
        var writesPerGrain = quick ? 20 : 100;
        var folder = Directory.CreateTempSubdirectory("twin-storage-bench-").FullName;
        try
        {
            await using var stock = await StorageSilo.StartAsync(Path.Combine(folder, "adonet.db"), GrainStorageEngine.AdoNet);
            await using var grouped = await StorageSilo.StartAsync(Path.Combine(folder, "group.db"), GrainStorageEngine.GroupCommit);
            var rates = await Measurement.MedianRatesAsync(quick ? 1 : 3,
                ("adonet", () => stock.WriteAsync(grains, writesPerGrain)),
                ("group", () => grouped.WriteAsync(grains, writesPerGrain)));

            Measurement.Report($"storage.sqlite.adonet.writes ({grains} grains)", rates["adonet"], "writes/s");
            Measurement.Report($"storage.sqlite.group_commit.writes ({grains} grains)", rates["group"], "writes/s");
            Measurement.Ratio("storage.sqlite.group_commit_vs_adonet", rates["group"], rates["adonet"]);
            var (transactions, writes) = ((GroupCommitGrainStorage)grouped.Storage).Commits;
            Measurement.Report("storage.sqlite.group_commit.writes_per_transaction", (double)writes / Math.Max(1, transactions), "writes");
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>A silo with the twin's storage on one SQLite file; its grain storage is driven directly, as grains would.</summary>
    private sealed class StorageSilo(IHost host) : IAsyncDisposable
    {
        private int _round;

        public Orleans.Storage.IGrainStorage Storage => host.Services.GetRequiredKeyedService<Orleans.Storage.IGrainStorage>(TwinStorageOptions.DefaultProviderName);

        public static async Task<StorageSilo> StartAsync(string file, GrainStorageEngine engine)
        {
            var host = new HostBuilder()
                .ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning))
                .UseOrleans(silo =>
                {
                    silo.UseLocalhostClustering(LoopbackPort.Free(), LoopbackPort.Free(), serviceId: "storage-bench", clusterId: $"storage-bench-{engine}");
                    silo.AddTwinStorage(options =>
                    {
                        options.Kind = StorageKind.Sqlite;
                        options.ConnectionString = $"Data Source={file}";
                        options.Engine = engine;
                        options.JsonTypes = StorageBenchJsonContext.Default;
                    });
                })
                .Build();
            await host.StartAsync();
            return new StorageSilo(host);
        }

        /// <summary>Each grain writes its state through, one write after another, all grains at once.</summary>
        public async Task<long> WriteAsync(int grains, int writesPerGrain)
        {
            var round = Interlocked.Increment(ref _round);
            await Task.WhenAll(Enumerable.Range(0, grains).Select(async g =>
            {
                var grain = Orleans.Runtime.GrainId.Create("sensor", $"WL-{round}-{g:D5}");
                var state = new GrainState<StorageBenchState>(new StorageBenchState());
                for (var i = 0; i < writesPerGrain; i++)
                {
                    state.State!.Level = i;
                    await Storage.WriteStateAsync("reading", grain, state);
                }
            }));
            return (long)grains * writesPerGrain;
        }

        public async ValueTask DisposeAsync()
        {
            await host.StopAsync();
            host.Dispose();
        }
    }
}

/// <summary>A sensor-sized state: a level and a few readings.</summary>
internal sealed class StorageBenchState
{
    public double Level { get; set; }

    public double[] Readings { get; set; } = [1.2, 1.4, 1.3, 1.5];
}

[JsonSerializable(typeof(StorageBenchState))]
internal sealed partial class StorageBenchJsonContext : JsonSerializerContext;
