using System.Collections.Concurrent;
using System.Globalization;
using CityOps.Twin.Grains;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Providers;
using Orleans.Runtime;
using Orleans.Storage;

namespace CityOps.Twin.Bench;

/// <summary>
/// The twin's grain storage for the benchmarks that start from a city already in storage (scale, switchover): each
/// state's JSON, as the silo's storage serializer writes it, kept in a dictionary of this process and read back
/// through the same serializer. Orleans' memory storage would keep it in ten storage grains, so that activating a
/// million sensors would also be three million calls to those ten, measured as activation; a database hands its
/// rows back without a grain call, and so does this.
/// </summary>
internal sealed class BenchStateStore : IGrainStorage
{
    private readonly ConcurrentDictionary<(string State, GrainId Grain), (BinaryData Payload, long Version)> _states = new();
    private readonly Silo.Storage.JsonGrainStorageSerializer _serializer = new(TwinGrains.StateTypes);
    private long _versions;

    /// <summary>Makes this store the silo's twin storage (and its default), with reminders in memory.</summary>
    public void AddTo(ISiloBuilder silo)
    {
        silo.Services.AddKeyedSingleton<IGrainStorage>(TwinGrains.Storage, this);
        silo.Services.AddKeyedSingleton<IGrainStorage>(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME, this);
        silo.UseInMemoryReminderService();
    }

    /// <summary>Stores a state as a silo would have left it; returns its payload.</summary>
    public BinaryData Put<T>(string stateName, GrainId grain, T state)
    {
        var payload = _serializer.Serialize(state);
        _states[(stateName, grain)] = (payload, Interlocked.Increment(ref _versions));
        return payload;
    }

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (_states.TryGetValue((stateName, grainId), out var stored))
        {
            grainState.State = _serializer.Deserialize<T>(stored.Payload);
            grainState.ETag = stored.Version.ToString(CultureInfo.InvariantCulture);
            grainState.RecordExists = true;
        }
        return Task.CompletedTask;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var written = (_serializer.Serialize(grainState.State), Interlocked.Increment(ref _versions));
        Replace((stateName, grainId), grainState.ETag, written);
        grainState.ETag = written.Item2.ToString(CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
        return Task.CompletedTask;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (_states.TryGetValue((stateName, grainId), out _))
        {
            Replace((stateName, grainId), grainState.ETag, null);
        }
        grainState.ETag = null;
        grainState.RecordExists = false;
        return Task.CompletedTask;
    }

    /// <summary>Writes only over the version the writer read, as the twin's storage does, so a lost update shows as a conflict.</summary>
    private void Replace((string, GrainId) key, string? etag, (BinaryData, long)? written)
    {
        while (true)
        {
            var exists = _states.TryGetValue(key, out var held);
            var heldTag = exists ? held.Version.ToString(CultureInfo.InvariantCulture) : null;
            if (heldTag != etag)
            {
                throw new InconsistentStateException($"State {key} is at version {heldTag ?? "none"}, the writer held {etag ?? "none"}.", heldTag, etag);
            }
            var done = written is { } next
                ? exists ? _states.TryUpdate(key, next, held) : _states.TryAdd(key, next)
                : _states.TryRemove(new KeyValuePair<(string, GrainId), (BinaryData, long)>(key, held));
            if (done)
            {
                return;
            }
        }
    }
}
