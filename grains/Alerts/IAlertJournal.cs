using CityOps.Twin.Contracts.Mode;

namespace CityOps.Twin.Grains.Alerts;

/// <summary>
/// The changes the twin sends CAP alerts for, recorded durably by the grain that makes each one, so that every silo
/// answers the same alerts and a restart keeps them. An alarm change is recorded before the sensor state holding its
/// level is written: a reading is acknowledged only once its alarm is journaled. A mode switch is recorded after the
/// mode grain has written it, and its whole history again whenever that grain activates, which fills the gap a silo
/// dying between the two leaves (and never journals a switch that did not happen). Recording is idempotent by the
/// change's <see cref="AlertIdentifier"/>: a retried reading or a replayed history stores nothing twice.
/// </summary>
/// <remarks>
/// No default is registered on purpose: a silo that forgot its journal fails at the first sensor's activation
/// instead of silently dropping alerts.
/// </remarks>
public interface IAlertJournal
{
    Task RecordAlarmAsync(JournaledAlarm alarm);

    Task RecordSwitchesAsync(IReadOnlyList<ModeChange> switches);
}
