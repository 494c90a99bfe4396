namespace CityOps.Twin.Runtime.Persistence;

/// <summary>The silo's named grain storages (the name in <see cref="PersistentStateAttribute"/>).</summary>
public sealed class GrainStorageRegistry(IEnumerable<IGrainStorage> storages)
{
    private readonly Dictionary<string, IGrainStorage> _storages = storages.ToDictionary(s => s.Name, StringComparer.Ordinal);

    public IEnumerable<IGrainStorage> All => _storages.Values;

    public IGrainStorage Get(string name) =>
        _storages.TryGetValue(name, out var storage)
            ? storage
            : throw new InvalidOperationException($"No grain storage named '{name}' is configured; configured: {string.Join(", ", _storages.Keys)}.");
}
