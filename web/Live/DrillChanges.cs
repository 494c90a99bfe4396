using CityOps.Twin.Contracts.Drills;

namespace CityOps.Twin.Web.Live;

/// <summary>The drill desk's progress as live changes, so a drill page draws a few frames a second however fast the drill runs.</summary>
public sealed class DrillChanges(IDrillDesk desk) : ILiveChanges
{
    public event Action? Changed
    {
        add => desk.Changed += value;
        remove => desk.Changed -= value;
    }
}
