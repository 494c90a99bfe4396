using CityOps.Twin.Contracts.City;

namespace CityOps.Twin.Grains.City;

public sealed class CityImportGrain([PersistentState("import", TwinGrains.Storage)] IPersistentState<CityImportState> state) : Grain, ICityImportGrain
{
    public Task<string?> GetFingerprint() => Task.FromResult(state.State.Fingerprint);

    public async Task SetFingerprint(string fingerprint)
    {
        state.State.Fingerprint = fingerprint;
        await state.WriteStateAsync();
    }
}

public sealed class CityImportState
{
    public string? Fingerprint { get; set; }
}
