namespace CityOps.Twin.Runtime;

/// <summary>The runtime's settings. Defaults follow Orleans' where Orleans has one.</summary>
public sealed class GrainRuntimeOptions
{
    /// <summary>How long a caller waits for a grain call before it fails with <see cref="TimeoutException"/> (Orleans: 30 s).</summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>An activation with no call for this long is deactivated (Orleans: 15 min).</summary>
    public TimeSpan CollectionAge { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How often the idle collector sweeps (Orleans: 1 min).</summary>
    public TimeSpan CollectionQuantum { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The longest a write-behind state stays unsaved after its write.</summary>
    public TimeSpan WriteBehindWindow { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Capacity of each stream subscriber's queue; a producer waits while a queue is full.</summary>
    public int StreamQueueCapacity { get; set; } = 1024;

    /// <summary>How long a reminder whose delivery failed waits before it is tried again.</summary>
    public TimeSpan ReminderRetryDelay { get; set; } = TimeSpan.FromSeconds(10);
}
