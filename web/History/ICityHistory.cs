using CityOps.Twin.Web.Signs;

namespace CityOps.Twin.Web.History;

/// <summary>
/// The live city's history as the view reads it: a sensor's readings and an area's vital signs over a range, each with
/// the mode switches in it. The silo answers from its history store with the choice the history API makes (raw when the
/// range holds few enough, else buckets), so a plot and the API agree. A drill's city keeps no history.
/// </summary>
public interface ICityHistory
{
    /// <summary>
    /// A sensor's readings from <paramref name="from"/> to <paramref name="to"/>: raw when there are at most
    /// <paramref name="maxPoints"/>, else 1-minute or hourly buckets (several hours a bucket when the hours are more).
    /// </summary>
    /// <exception cref="HistoryUnavailableException">The twin keeps no history, or its store is not ready.</exception>
    Task<SensorHistory> ReadingsAsync(string sensorId, DateTimeOffset from, DateTimeOffset to, int maxPoints, CancellationToken cancellationToken);

    /// <summary>An area's five indices from the stored samples (or buckets of them when more than <paramref name="maxPoints"/>).</summary>
    /// <exception cref="HistoryUnavailableException">The twin keeps no history, or its store is not ready.</exception>
    Task<SignsHistory> SignsAsync(string areaCode, DateTimeOffset from, DateTimeOffset to, int maxPoints, CancellationToken cancellationToken);
}

/// <summary>The history cannot be read: it is off on this twin (<see cref="Off"/>), or its store is not ready yet. The message says which.</summary>
public sealed class HistoryUnavailableException(string message, bool off) : Exception(message)
{
    public bool Off { get; } = off;
}
