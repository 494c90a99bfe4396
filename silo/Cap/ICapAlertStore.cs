using CityOps.Twin.Grains.Alerts;

namespace CityOps.Twin.Silo.Cap;

/// <summary>The alert journal as the CAP log reads it: the latest recorded changes, newest first, and one by identifier.</summary>
public interface ICapAlertStore : IAlertJournal
{
    Task<IReadOnlyList<JournaledAlert>> LatestAsync(int count);

    Task<JournaledAlert?> FindAsync(string identifier);
}
