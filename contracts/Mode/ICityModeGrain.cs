using CityOps.Twin.Runtime;

namespace CityOps.Twin.Contracts.Mode;

/// <summary>The one grain (key <see cref="CityKey"/>) that holds the city's mode.</summary>
public interface ICityModeGrain : IGrainWithStringKey
{
    public const string CityKey = "city";

    Task<CityMode> GetMode();
}
