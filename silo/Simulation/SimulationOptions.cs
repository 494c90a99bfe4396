namespace CityOps.Twin.Silo.Simulation;

/// <summary>The live simulator (configuration section "Simulation"); 0 readings per second switches it off.</summary>
public sealed class SimulationOptions
{
    /// <summary>Sensor readings per second across the city: 50 gives each of the demo city's 2,400 sensors a reading about every 48 s.</summary>
    public double ReadingsPerSecond { get; set; } = 50;

    public int Seed { get; set; } = 20210725;
}
