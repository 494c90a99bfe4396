namespace CityOps.Twin.Grains.History;

/// <summary>No history: what a silo without a history store (History:Enabled false, memory storage, a drill's city) uses.</summary>
public sealed class HistoryOff : IHistoryAppender
{
    public static HistoryOff Instance { get; } = new();

    public void Reading(string sensorId, DateTimeOffset measuredAt, double value)
    {
    }

    public void Event(HistoryEvent change)
    {
    }
}
