using System.Data.Common;

namespace CityOps.Twin.Silo.Storage;

/// <summary>The parameters of the grain state queries, named as Orleans' ADO.NET grain storage names them.</summary>
internal static class GrainStateParameters
{
    public static void AddKey(DbCommand command, GrainStateRow row) => AddKey(command.Parameters, command.CreateParameter, row);

    /// <summary>The key parameters on a command of a batch (PostgreSQL's group writes: one round trip a group).</summary>
    public static void AddKey(DbBatchCommand command, GrainStateRow row) => AddKey(command.Parameters, command.CreateParameter, row);

    private static void AddKey(DbParameterCollection parameters, Func<DbParameter> create, GrainStateRow row)
    {
        Add(parameters, create, "GrainIdHash", row.GrainIdHash);
        Add(parameters, create, "GrainIdN0", row.GrainIdN0);
        Add(parameters, create, "GrainIdN1", row.GrainIdN1);
        Add(parameters, create, "GrainTypeHash", row.StateNameHash);
        Add(parameters, create, "GrainTypeString", row.StateName);
        Add(parameters, create, "GrainIdExtensionString", row.GrainIdExtension);
        Add(parameters, create, "ServiceId", row.ServiceId);
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

    public static void Add(DbCommand command, string name, object? value) => Add(command.Parameters, command.CreateParameter, name, value);

    public static void Add(DbBatchCommand command, string name, object? value) => Add(command.Parameters, command.CreateParameter, name, value);

    private static void Add(DbParameterCollection parameters, Func<DbParameter> create, string name, object? value)
    {
        var parameter = create();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        parameters.Add(parameter);
    }
}
