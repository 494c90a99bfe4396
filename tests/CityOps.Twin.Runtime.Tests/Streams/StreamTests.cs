using System.Collections.Concurrent;
using CityOps.Twin.Runtime.Streams;
using CityOps.Twin.Runtime.Tests.Support;
using CityOps.Twin.Runtime.Tests.TestGrains;

namespace CityOps.Twin.Runtime.Tests.Streams;

public sealed class StreamTests
{
    [Fact]
    public async Task A_subscriber_gets_every_item_of_each_producer_in_that_producers_order()
    {
        await using var silo = await TestSilo.StartAsync();
        var stream = silo.Runtime.GetStreamProvider("Default").GetStream<Reading>(StreamId.Create("district-signs", "310116"));
        var received = new ConcurrentQueue<Reading>();
        await using var subscription = await stream.SubscribeAsync(item =>
        {
            received.Enqueue(item);
            silo.Probe.Signal("received");
            return Task.CompletedTask;
        });

        await Task.WhenAll(Enumerable.Range(0, 4).Select(producer => Task.Run(async () =>
        {
            for (var sequence = 0; sequence < 2_000; sequence++)
            {
                await stream.OnNextAsync(new Reading($"p{producer}", sequence, sequence * 0.5));
            }
        })));
        await silo.Probe.WaitFor("received", 8_000);

        Assert.Equal(8_000, received.Count);
        foreach (var producer in received.GroupBy(r => r.Producer))
        {
            Assert.Equal(Enumerable.Range(0, 2_000), producer.Select(r => r.Sequence));
        }
    }

    [Fact]
    public async Task An_item_on_an_implicitly_subscribed_namespace_activates_the_grain_with_the_streams_key()
    {
        await using var silo = await TestSilo.StartAsync();
        var stream = silo.Runtime.GetStreamProvider("Default").GetStream<Reading>(StreamId.Create("readings", "grid-0731"));

        for (var sequence = 0; sequence < 300; sequence++)
        {
            await stream.OnNextAsync(new Reading("gauge", sequence, 3.2));
        }
        await silo.Probe.WaitFor("grid-0731:reading", 300);

        var received = await silo.Grain<IReadingConsumerGrain>("grid-0731").Received();
        Assert.Equal(Enumerable.Range(0, 300), received.Select(r => r.Sequence));
        Assert.Empty(await silo.Grain<IReadingConsumerGrain>("grid-0732").Received());
    }

    [Fact]
    public async Task A_full_queue_makes_the_producer_wait_instead_of_dropping_or_growing()
    {
        await using var silo = await TestSilo.StartAsync(b => b.Configure(o => o.StreamQueueCapacity = 4));
        var stream = silo.Runtime.GetStreamProvider("Default").GetStream<int>(StreamId.Create("slow", "view"));
        var received = new ConcurrentQueue<int>();
        await using var subscription = await stream.SubscribeAsync(async item =>
        {
            silo.Probe.Signal("handling");
            await silo.Probe.Gate("consumer-free");
            received.Enqueue(item);
            silo.Probe.Signal("handled");
        });

        await stream.OnNextAsync(1);
        await silo.Probe.WaitFor("handling");
        for (var item = 2; item <= 5; item++)
        {
            await stream.OnNextAsync(item);
        }
        var blocked = stream.OnNextAsync(6);

        Assert.False(blocked.IsCompleted);
        Assert.Equal(5, silo.Runtime.Instruments.StreamQueueDepth);

        silo.Probe.Open("consumer-free");
        await blocked;
        await silo.Probe.WaitFor("handled", 6);
        Assert.Equal([1, 2, 3, 4, 5, 6], received);
        Assert.Equal(0, silo.Runtime.Instruments.StreamQueueDepth);
    }

    [Fact]
    public async Task After_unsubscribing_nothing_more_is_delivered()
    {
        await using var silo = await TestSilo.StartAsync();
        var stream = silo.Runtime.GetStreamProvider("Default").GetStream<int>(StreamId.Create("alarms", "city"));
        var kept = new ConcurrentQueue<int>();
        var dropped = new ConcurrentQueue<int>();
        await using var keeper = await stream.SubscribeAsync(i =>
        {
            kept.Enqueue(i);
            silo.Probe.Signal("kept");
            return Task.CompletedTask;
        });
        var leaver = await stream.SubscribeAsync(i =>
        {
            dropped.Enqueue(i);
            silo.Probe.Signal("dropped");
            return Task.CompletedTask;
        });
        await stream.OnNextAsync(1);
        await silo.Probe.WaitFor("dropped");

        await leaver.UnsubscribeAsync();
        await stream.OnNextAsync(2);
        await silo.Probe.WaitFor("kept", 2);

        Assert.Equal([1], dropped);
        Assert.Equal([1, 2], kept);
    }

    [Fact]
    public async Task A_subscriber_that_throws_still_gets_the_next_items()
    {
        await using var silo = await TestSilo.StartAsync();
        var stream = silo.Runtime.GetStreamProvider("Default").GetStream<int>(StreamId.Create("flaky", "x"));
        var received = new ConcurrentQueue<int>();
        await using var subscription = await stream.SubscribeAsync(i =>
        {
            silo.Probe.Signal("seen");
            if (i == 2)
            {
                throw new InvalidOperationException("bad frame");
            }
            received.Enqueue(i);
            return Task.CompletedTask;
        });

        foreach (var i in new[] { 1, 2, 3 })
        {
            await stream.OnNextAsync(i);
        }
        await silo.Probe.WaitFor("seen", 3);

        Assert.Equal([1, 3], received);
    }

    [Fact]
    public async Task An_unknown_stream_provider_name_is_refused_with_the_configured_names()
    {
        await using var silo = await TestSilo.StartAsync();

        var error = Assert.Throws<ArgumentException>(() => silo.Runtime.GetStreamProvider("Defualt"));

        Assert.Contains("Defualt", error.Message);
        Assert.Contains("Default", error.Message);
    }
}
