
namespace CityOps.Twin.Contracts.Sensors;

/// <summary>A sensor, keyed by its id.</summary>
public interface ISensorGrain : IGrainWithStringKey
{
    /// <summary>Files the sensor (or updates its file); readings are refused until it is filed.</summary>
    Task File(SensorFile file);

    Task<ReadingOutcome> Record(SensorReading reading);

    /// <summary>
    /// Several readings of this sensor in one call, applied in the order given (send them oldest first; one not newer
    /// than the last applied is <see cref="ReadingOutcome.Stale"/>), with an outcome each. All are checked first: if
    /// any is not this sensor's or is outside its physical range, none is applied and the error names which.
    /// </summary>
    Task<ReadingOutcome[]> RecordMany(SensorReading[] readings);

    Task<SensorSnapshot?> GetSnapshot();

    /// <summary>Works by the rules of the mode from now on (sent to every sensor when the city switches); the latest value is judged again.</summary>
    Task ApplyMode(Mode.OperatingMode mode);
}
