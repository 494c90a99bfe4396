namespace CityOps.Twin.Grains.History;

/// <summary>
/// Where the grains hand what happened to the city's history: every accepted reading, alarm change, case step, mode
/// switch and device event. A call only queues the entry and returns at once (the silo's writer stores it in batches,
/// off the hot path): a reading's acknowledgement never waits for the history. What a full queue does with an entry is
/// the writer's (README, "History").
/// </summary>
public interface IHistoryAppender
{
    void Reading(string sensorId, DateTimeOffset measuredAt, double value);

    void Event(HistoryEvent change);
}
