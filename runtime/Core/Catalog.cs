using System.Collections.Concurrent;

namespace CityOps.Twin.Runtime;

/// <summary>
/// The silo's directory of live activations: at most one per grain id. Racing first calls all get the one
/// activation that <see cref="ConcurrentDictionary{TKey,TValue}.GetOrAdd(TKey,Func{TKey,TValue})"/> keeps;
/// the losers' objects were never started, so they leave no trace.
/// </summary>
internal sealed class Catalog(GrainRuntime runtime)
{
    private readonly ConcurrentDictionary<GrainId, ActivationData> _activations = new();

    public int Count => _activations.Count;

    public IEnumerable<ActivationData> All => _activations.Values;

    public ActivationData GetOrCreate(GrainId grainId)
    {
        if (_activations.TryGetValue(grainId, out var existing))
        {
            return existing;
        }

        runtime.ThrowIfStopping(grainId);
        return _activations.GetOrAdd(grainId, static (id, rt) => new ActivationData(id, rt, forwarded: null), runtime);
    }

    public void Remove(ActivationData activation) =>
        _activations.TryRemove(new KeyValuePair<GrainId, ActivationData>(activation.GrainId, activation));

    /// <summary>
    /// Takes a deactivated activation out of the directory. Calls that were still waiting in its mailbox go,
    /// in their order, to a fresh activation that replaces it in one step, so nothing overtakes them.
    /// </summary>
    public void Retire(ActivationData activation, List<WorkItem> waiting)
    {
        if (waiting.Count == 0)
        {
            Remove(activation);
            return;
        }

        if (runtime.IsStopping)
        {
            Remove(activation);
            var stopped = new InvalidOperationException($"The silo is shutting down; the call to grain {activation.GrainId} was not run.");
            foreach (var item in waiting)
            {
                item.Fail(stopped);
            }
            return;
        }

        var successor = new ActivationData(activation.GrainId, runtime, waiting);
        _activations.TryUpdate(activation.GrainId, successor, activation);
        successor.StartPumpIfIdle();
    }
}
