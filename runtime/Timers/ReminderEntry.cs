namespace CityOps.Twin.Runtime.Timers;

/// <summary>A stored reminder. <see cref="NextDue"/> moves on only after a tick was delivered.</summary>
public sealed record ReminderEntry(GrainId GrainId, string ReminderName, DateTimeOffset StartAt, TimeSpan Period, DateTimeOffset NextDue) : IGrainReminder
{
    public bool IsOneShot => Period == Timeout.InfiniteTimeSpan;
}
