namespace CityOps.Twin.Contracts.Sensors;

/// <summary>感知端 kinds. Every kind alarms on high values; its unit is in <see cref="SensorThresholds.Unit"/>.</summary>
[GenerateSerializer, Alias("CityOps.Sensors.SensorKind")]
public enum SensorKind
{
    /// <summary>道路积水 depth at a waterlogging point, cm.</summary>
    Waterlogging,

    /// <summary>河道水位 river level, m (Wusong datum).</summary>
    RiverLevel,

    /// <summary>雨量 rainfall intensity, mm/h.</summary>
    Rainfall,

    /// <summary>潮位 tide level, m (Wusong datum).</summary>
    Tide,

    /// <summary>有限空间有害气体 hydrogen sulphide in septic tanks and sewers, ppm.</summary>
    HazardousGas,

    /// <summary>桥梁应变 bridge strain, microstrain.</summary>
    BridgeStrain,

    /// <summary>桥梁裂缝 bridge crack width, mm.</summary>
    BridgeCrack,
}

/// <summary>Alarm levels, blue &lt; yellow &lt; orange &lt; red; None is no alarm.</summary>
[GenerateSerializer, Alias("CityOps.Sensors.AlarmLevel")]
public enum AlarmLevel
{
    None = 0,
    Blue = 1,
    Yellow = 2,
    Orange = 3,
    Red = 4,
}
