using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using CityOps.Twin.Runtime.Tests.Support;
using CityOps.Twin.Runtime.Tests.TestGrains;

namespace CityOps.Twin.Runtime.Tests;

public sealed class TelemetryTests
{
    [Fact]
    public async Task The_runtime_reports_activations_calls_turn_durations_queue_depth_and_storage_latency()
    {
        await using var silo = await TestSilo.StartAsync(b => b.UseSqlite(TestDatabases.NewSqlitePath()));
        var measurements = new ConcurrentDictionary<string, double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == silo.Runtime.Instruments.Meter)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => measurements.AddOrUpdate(instrument.Name, value, (_, sum) => sum + value));
        listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => measurements.AddOrUpdate(instrument.Name, 1, (_, count) => count + 1));
        listener.Start();

        for (var i = 0; i < 10; i++)
        {
            await silo.Grain<IStatefulGrain>($"metered-{i}").Increment("note");
        }
        listener.RecordObservableInstruments();

        Assert.Equal(10, measurements["twin.grain.calls"]);
        Assert.Equal(10, measurements["twin.grain.activations"]);
        Assert.Equal(0, measurements["twin.grain.queue.depth"]);
        Assert.True(measurements["twin.grain.turn.duration"] >= 10);
        Assert.Equal(10, measurements["twin.storage.write.duration"]);
        Assert.Equal(10, measurements["twin.storage.read.duration"]);
    }
}
