
namespace CityOps.Twin.Contracts.City;

/// <summary>Remembers which city was filed into the grains (by fingerprint), so a restart does not file it again.</summary>
public interface ICityImportGrain : IGrainWithStringKey
{
    Task<string?> GetFingerprint();

    Task SetFingerprint(string fingerprint);
}
