using System.Data.Common;

namespace CityOps.Twin.Silo.Storage;

/// <summary>The parameters of the grain state queries, named as Orleans' ADO.NET grain storage names them.</summary>
internal static class GrainStateParameters
{
    public static void AddKey(DbCommand command, GrainStateRow row)
    {
        Add(command, "GrainIdHash", row.GrainIdHash);
        Add(command, "GrainIdN0", row.GrainIdN0);
        Add(command, "GrainIdN1", row.GrainIdN1);
        Add(command, "GrainTypeHash", row.StateNameHash);
        Add(command, "GrainTypeString", row.StateName);
        Add(command, "GrainIdExtensionString", row.GrainIdExtension);
        Add(command, "ServiceId", row.ServiceId);
    }

    /// <summary>How many parameters <see cref="AddKey"/> adds, in the order <see cref="SetKey"/> fills them.</summary>
    public const int KeyCount = 7;

    /// <summary>Gives the key parameters made by <see cref="AddKey"/> (the first <see cref="KeyCount"/>) another row's values.</summary>
    public static void SetKey(DbParameter[] parameters, GrainStateRow row)
    {
        parameters[0].Value = row.GrainIdHash;
        parameters[1].Value = row.GrainIdN0;
        parameters[2].Value = row.GrainIdN1;
        parameters[3].Value = row.StateNameHash;
        parameters[4].Value = row.StateName;
        parameters[5].Value = (object?)row.GrainIdExtension ?? DBNull.Value;
        parameters[6].Value = row.ServiceId;
    }

    public static void Add(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }
}
