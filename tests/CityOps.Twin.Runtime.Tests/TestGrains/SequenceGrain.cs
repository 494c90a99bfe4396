namespace CityOps.Twin.Runtime.Tests.TestGrains;

public interface ISequenceGrain : IGrainWithStringKey
{
    Task Record(int caller, int sequence);

    Task<SequenceReport> Report();
}

public sealed record SequenceReport(int Calls, int OutOfOrder, int Overlaps);

/// <summary>
/// Checks turn-based execution from the inside: every caller's sequence numbers must arrive in order, and
/// no two turns may overlap (an await in the middle gives another turn the chance to break in if it could).
/// </summary>
public sealed class SequenceGrain : Grain, ISequenceGrain
{
    private readonly Dictionary<int, int> _lastSequence = [];
    private int _calls;
    private int _outOfOrder;
    private int _overlaps;
    private int _inTurn;

    public async Task Record(int caller, int sequence)
    {
        if (Interlocked.Increment(ref _inTurn) != 1)
        {
            _overlaps++;
        }

        if (_lastSequence.TryGetValue(caller, out var last) && sequence <= last)
        {
            _outOfOrder++;
        }
        _lastSequence[caller] = sequence;
        _calls++;

        if (sequence % 7 == 0)
        {
            await Task.Yield();
        }
        Interlocked.Decrement(ref _inTurn);
    }

    public Task<SequenceReport> Report() => Task.FromResult(new SequenceReport(_calls, _outOfOrder, _overlaps));
}
