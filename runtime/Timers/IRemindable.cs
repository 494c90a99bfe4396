namespace CityOps.Twin.Runtime;

/// <summary>A grain that registers reminders receives their ticks here.</summary>
public interface IRemindable
{
    Task ReceiveReminder(string reminderName, TickStatus status);
}

/// <summary>When a reminder was first due, its period (infinite for one-shot) and the tick being delivered.</summary>
public readonly record struct TickStatus(DateTimeOffset FirstTickTime, TimeSpan Period, DateTimeOffset CurrentTickTime);

/// <summary>A registered reminder.</summary>
public interface IGrainReminder
{
    string ReminderName { get; }
}
