namespace CityOps.Twin.Silo.Cap;

/// <summary>Where CAP alerts come from and how many are kept in memory (configuration section "Cap").</summary>
public sealed class CapOptions
{
    /// <summary>CAP's sender: an identifier of the originator, unique world-wide (CAP 1.2 §3.2.1).</summary>
    public string Sender { get; set; } = "cityops-twin@ops.shanghai.example";

    /// <summary>
    /// Alerts kept by the in-memory journal (memory storage and drills): a busy day of alarms. A database keeps them all.
    /// </summary>
    public int Keep { get; set; } = 20_000;

    /// <summary>Set while a drill runs in this silo: every alert is then status Exercise, with the drill's name in note.</summary>
    public string? ExerciseName { get; set; }
}
