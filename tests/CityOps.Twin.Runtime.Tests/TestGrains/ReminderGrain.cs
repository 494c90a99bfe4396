namespace CityOps.Twin.Runtime.Tests.TestGrains;

public interface IReminderGrain : IGrainWithStringKey
{
    Task Remind(string name, TimeSpan dueTime, TimeSpan period);

    Task Forget(string name);

    Task<bool> Has(string name);
}

/// <summary>Reports each reminder tick as "{key}:{reminder}" to the probe.</summary>
public sealed class ReminderGrain(Support.TestProbe probe) : Grain, IReminderGrain, IRemindable
{
    public Task Remind(string name, TimeSpan dueTime, TimeSpan period) => RegisterOrUpdateReminder(name, dueTime, period);

    public async Task Forget(string name)
    {
        if (await GetReminder(name) is { } reminder)
        {
            await UnregisterReminder(reminder);
        }
    }

    public async Task<bool> Has(string name) => await GetReminder(name) is not null;

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        probe.Signal($"{GetPrimaryKeyString()}:{reminderName}");
        return Task.CompletedTask;
    }
}
