using System.Collections.Concurrent;
using Orleans.Reminders.Diagnostics;
using Orleans.Runtime;

namespace CityOps.Twin.Grains.Tests.Support;

/// <summary>
/// When a silo's reminder service has read its reminders from the store. A silo starts before that read is done (it
/// runs in the background), and a reminder not yet read is one the drill clock cannot see due: a test that restarts
/// over stored reminders waits for it before it moves the clock. Orleans' reminder events are process-wide, so one
/// subscription serves every silo of the test run.
/// </summary>
internal static class ReminderServiceReadiness
{
    private static readonly ConcurrentDictionary<SiloAddress, TaskCompletionSource> Started = new();

    private static readonly IDisposable Subscription = ReminderEvents.ServiceEvents.Subscribe(new StartedObserver());

    public static Task WhenStartedAsync(SiloAddress silo, TimeSpan patience) => Of(silo).Task.WaitAsync(patience);

    /// <summary>Touched before a silo starts, so the subscription is in place before its service can report.</summary>
    public static void Listen() => GC.KeepAlive(Subscription);

    private static TaskCompletionSource Of(SiloAddress silo) =>
        Started.GetOrAdd(silo, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    private sealed class StartedObserver : IObserver<ReminderEvents.ReminderServiceEvent>
    {
        public void OnNext(ReminderEvents.ReminderServiceEvent value)
        {
            if (value is ReminderEvents.ReminderServiceStarted)
            {
                Of(value.SiloAddress!).TrySetResult();
            }
        }

        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }
    }
}
