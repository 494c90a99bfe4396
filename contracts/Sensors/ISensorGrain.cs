
namespace CityOps.Twin.Contracts.Sensors;

/// <summary>A sensor, keyed by its id.</summary>
public interface ISensorGrain : IGrainWithStringKey
{
    /// <summary>Files the sensor (or updates its file); readings are refused until it is filed.</summary>
    Task File(SensorFile file);

    Task<ReadingOutcome> Record(SensorReading reading);

    Task<SensorSnapshot?> GetSnapshot();

    /// <summary>Works by the rules of the mode from now on (sent to every sensor when the city switches); the latest value is judged again.</summary>
    Task ApplyMode(Mode.OperatingMode mode);
}
