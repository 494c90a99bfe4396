using CityOps.Twin.Runtime.Hosting;
using CityOps.Twin.Runtime.Persistence;
using CityOps.Twin.Runtime.Tests.Support;
using CityOps.Twin.Runtime.Tests.TestGrains;
using CityOps.Twin.Runtime.Timers;

namespace CityOps.Twin.Runtime.Tests.Timers;

public sealed class ReminderTests
{
    private static readonly DateTimeOffset Monday = new(2026, 7, 27, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_reminder_ticks_when_due_and_not_before()
    {
        await using var silo = await TestSilo.StartAsync(time: new ManualTimeProvider(Monday));
        await silo.Grain<IReminderGrain>("case-1").Remind("deadline", TimeSpan.FromHours(2), Timeout.InfiniteTimeSpan);

        silo.Time.Advance(TimeSpan.FromMinutes(119));
        Assert.Equal(0, silo.Probe.Count("case-1:deadline"));
        silo.Time.Advance(TimeSpan.FromMinutes(1));

        await silo.Probe.WaitFor("case-1:deadline");
    }

    [Fact]
    public async Task A_periodic_reminder_ticks_every_period()
    {
        await using var silo = await TestSilo.StartAsync(time: new ManualTimeProvider(Monday));
        await silo.Grain<IReminderGrain>("patrol").Remind("round", TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(30));

        for (var tick = 1; tick <= 3; tick++)
        {
            silo.Time.Advance(TimeSpan.FromMinutes(30));
            await silo.Probe.WaitFor("patrol:round", tick);
            await silo.Runtime.WhenRemindersDeliveredAsync();
        }
        Assert.True(await silo.Grain<IReminderGrain>("patrol").Has("round"));
    }

    [Fact]
    public async Task An_unregistered_reminder_does_not_tick()
    {
        await using var silo = await TestSilo.StartAsync(time: new ManualTimeProvider(Monday));
        var grain = silo.Grain<IReminderGrain>("cancelled-case");
        await grain.Remind("deadline", TimeSpan.FromMinutes(5), Timeout.InfiniteTimeSpan);
        await grain.Remind("other", TimeSpan.FromMinutes(10), Timeout.InfiniteTimeSpan);

        await grain.Forget("deadline");
        silo.Time.Advance(TimeSpan.FromMinutes(10));
        await silo.Probe.WaitFor("cancelled-case:other");

        Assert.Equal(0, silo.Probe.Count("cancelled-case:deadline"));
    }

    public static TheoryData<string> Stores => ["sqlite", "postgresql"];

    private static Action<GrainRuntimeBuilder> Store(string kind, string sqlitePath) => kind == "sqlite"
        ? b => b.UseSqlite(sqlitePath)
        : b => b.UsePostgreSql(TestDatabases.PostgresConnectionString);

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task A_reminder_that_came_due_while_the_silo_was_down_fires_after_it_starts_and_activates_its_grain(string kind)
    {
        var path = TestDatabases.NewSqlitePath();
        var key = $"case-{Guid.NewGuid():N}";
        await using (var before = await TestSilo.StartAsync(Store(kind, path), new ManualTimeProvider(Monday)))
        {
            await before.Grain<IReminderGrain>(key).Remind("deadline", TimeSpan.FromHours(1), Timeout.InfiniteTimeSpan);
        }

        // The silo is down from 08:00 until 12:00; the deadline was at 09:00.
        await using var after = await TestSilo.StartAsync(Store(kind, path), new ManualTimeProvider(Monday.AddHours(4)));
        Assert.Equal(0, after.Runtime.ActivationCount);
        after.Time.Advance(TimeSpan.Zero);

        await after.Probe.WaitFor($"{key}:deadline");
        await after.Runtime.WhenRemindersDeliveredAsync();
        Assert.False(await after.Grain<IReminderGrain>(key).Has("deadline"));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task A_delivered_one_shot_reminder_does_not_fire_again_after_a_restart(string kind)
    {
        var path = TestDatabases.NewSqlitePath();
        var key = $"case-{Guid.NewGuid():N}";
        await using (var first = await TestSilo.StartAsync(Store(kind, path), new ManualTimeProvider(Monday)))
        {
            await first.Grain<IReminderGrain>(key).Remind("deadline", TimeSpan.FromMinutes(5), Timeout.InfiniteTimeSpan);
            first.Time.Advance(TimeSpan.FromMinutes(5));
            await first.Probe.WaitFor($"{key}:deadline");
        }

        await using var second = await TestSilo.StartAsync(Store(kind, path), new ManualTimeProvider(Monday.AddDays(1)));
        await using var database = kind == "sqlite" ? (RelationalDatabase)new SqliteDatabase(path) : new PostgreSqlDatabase(TestDatabases.PostgresConnectionString);
        var stored = await new RelationalReminderTable(database).ReadAllAsync();

        Assert.DoesNotContain(stored, r => r.GrainId.Key == key);
    }

    [Fact]
    public async Task A_periodic_reminder_missed_for_several_periods_fires_once_at_start_and_then_keeps_its_rhythm()
    {
        var path = TestDatabases.NewSqlitePath();
        await using (var first = await TestSilo.StartAsync(b => b.UseSqlite(path), new ManualTimeProvider(Monday)))
        {
            await first.Grain<IReminderGrain>("gauge").Remind("hourly", TimeSpan.FromHours(1), TimeSpan.FromHours(1));
        }

        await using var second = await TestSilo.StartAsync(b => b.UseSqlite(path), new ManualTimeProvider(Monday.AddHours(5).AddMinutes(30)));
        second.Time.Advance(TimeSpan.Zero);
        await second.Probe.WaitFor("gauge:hourly");
        await second.Runtime.WhenRemindersDeliveredAsync();

        // Missed ticks at 09:00 ... 13:00 make one; the next is on the hour, 14:00.
        second.Time.Advance(TimeSpan.FromMinutes(29));
        Assert.Equal(1, second.Probe.Count("gauge:hourly"));
        second.Time.Advance(TimeSpan.FromMinutes(1));
        await second.Probe.WaitFor("gauge:hourly", 2);
    }

    [Fact]
    public async Task A_reminder_with_a_negative_due_time_is_refused_with_its_name()
    {
        await using var silo = await TestSilo.StartAsync();

        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => silo.Grain<IReminderGrain>("x").Remind("deadline", TimeSpan.FromMinutes(-1), Timeout.InfiniteTimeSpan));

        Assert.Contains("deadline", error.Message);
    }
}

public sealed class ReminderReRegistrationTests
{
    [Fact]
    public async Task A_reminder_registered_again_before_it_is_due_fires_once_at_its_last_due_time()
    {
        await using var silo = await TestSilo.StartAsync();
        var grain = silo.Grain<IReminderGrain>("case-7");
        await grain.Remind("deadline", TimeSpan.FromMinutes(15), Timeout.InfiniteTimeSpan);
        await grain.Remind("deadline", TimeSpan.FromMinutes(10), Timeout.InfiniteTimeSpan);
        await grain.Remind("deadline", TimeSpan.FromMinutes(240), Timeout.InfiniteTimeSpan);

        // The grain is collected while idle on the way, so the tick must also reactivate it.
        await silo.AdvanceAsync(TimeSpan.FromMinutes(239));
        Assert.Equal(0, silo.Probe.Count("case-7:deadline"));

        await silo.AdvanceAsync(TimeSpan.FromHours(1));
        Assert.Equal(1, silo.Probe.Count("case-7:deadline"));
    }
}
