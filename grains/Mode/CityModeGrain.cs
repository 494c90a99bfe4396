using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Runtime;

namespace CityOps.Twin.Grains.Mode;

/// <summary>Holds the city's mode durably. A city that has never switched is in normal mode since the grain's first activation.</summary>
public sealed class CityModeGrain([PersistentState("mode")] IPersistentState<CityModeState> state) : Grain, ICityModeGrain
{
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (!state.RecordExists)
        {
            state.State.Mode = CityMode.Normal(TimeProvider.GetUtcNow(), "system");
            await state.WriteStateAsync();
        }
    }

    public Task<CityMode> GetMode() => Task.FromResult(state.State.Mode!);
}

public sealed class CityModeState
{
    public CityMode? Mode { get; set; }
}
