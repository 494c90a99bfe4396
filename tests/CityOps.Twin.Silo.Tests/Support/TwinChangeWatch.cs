using CityOps.Twin.Contracts.Live;

namespace CityOps.Twin.Silo.Tests.Support;

/// <summary>
/// What a test silo's live feed delivers, heard as the views hear it. Registered after the silo's own listeners, so
/// by the time a batch reaches it the CAP log and the switch proposer have taken it: a test waits for the changes it
/// caused to have been heard, instead of for a feed that Orleans cannot tell idle.
/// </summary>
public sealed class TwinChangeWatch : ITwinChangeListener
{
    private readonly Lock _lock = new();
    private readonly List<Expectation> _expectations = [];

    /// <summary>
    /// Starts listening now, before the test acts: <paramref name="heard"/> sees every batch delivered from here on,
    /// one at a time (it may count across batches), until it returns true.
    /// </summary>
    public Expectation Expect(Func<TwinChanges, bool> heard, string what)
    {
        var expectation = new Expectation(this, heard, what);
        lock (_lock)
        {
            _expectations.Add(expectation);
        }
        return expectation;
    }

    public void OnChanges(TwinChanges changes)
    {
        lock (_lock)
        {
            for (var i = _expectations.Count - 1; i >= 0; i--)
            {
                if (_expectations[i].Hear(changes))
                {
                    _expectations.RemoveAt(i);
                }
            }
        }
    }

    private void Forget(Expectation expectation)
    {
        lock (_lock)
        {
            _expectations.Remove(expectation);
        }
    }

    /// <summary>Changes a test waits to hear; disposing it stops listening.</summary>
    public sealed class Expectation(TwinChangeWatch watch, Func<TwinChanges, bool> heard, string what) : IDisposable
    {
        private readonly TaskCompletionSource _met = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Completes once the changes were heard; fails naming them when they were not within <paramref name="timeout"/>.</summary>
        public async Task WaitAsync(TimeSpan timeout)
        {
            try
            {
                await _met.Task.WaitAsync(timeout);
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"The live feed did not deliver {what} within {timeout.TotalSeconds:0} s.");
            }
        }

        internal bool Hear(TwinChanges changes)
        {
            if (!heard(changes))
            {
                return false;
            }
            _met.TrySetResult();
            return true;
        }

        public void Dispose() => watch.Forget(this);
    }
}
