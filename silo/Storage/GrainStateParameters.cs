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

    public static void Add(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }
}
