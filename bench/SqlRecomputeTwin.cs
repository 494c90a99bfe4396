using System.Globalization;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Grains.Signs;
using Npgsql;

namespace CityOps.Twin.Bench;

/// <summary>
/// Baseline B, what most city platforms do: every reading is inserted into PostgreSQL, and once a batch the
/// indices are recomputed in SQL from each sensor's latest reading (its level from the thresholds, the
/// severity weights summed per district). The batch is the baseline's most favourable knob: a larger one
/// recomputes less often but leaves the indices staler.
/// </summary>
internal sealed class SqlRecomputeTwin(string connectionString, ReadingWorkload workload, VitalSignsWeights weights)
{
    public const int Batch = 5_000;

    public async Task CreateAsync()
    {
        await using var connection = await OpenAsync();
        await Execute(connection, """
            DROP TABLE IF EXISTS bench_reading; DROP TABLE IF EXISTS bench_sensor;
            CREATE TABLE bench_sensor (id int PRIMARY KEY, district int NOT NULL, idx smallint NOT NULL,
                blue double precision, yellow double precision, orange double precision, red double precision);
            CREATE TABLE bench_reading (sensor_id int NOT NULL, measured_at bigint NOT NULL, value double precision NOT NULL);
            CREATE INDEX bench_reading_latest ON bench_reading (sensor_id, measured_at DESC);
            """);
        await using var import = await connection.BeginBinaryImportAsync("COPY bench_sensor (id, district, idx, blue, yellow, orange, red) FROM STDIN (FORMAT BINARY)");
        for (var sensor = 0; sensor < workload.Sensors; sensor++)
        {
            var file = workload.City.SensorFiles[sensor];
            var thresholds = workload.ThresholdsOf(sensor);
            await import.StartRowAsync();
            await import.WriteAsync(sensor);
            await import.WriteAsync(workload.City.DistrictOfGrid[workload.City.GridOf(sensor)]);
            await import.WriteAsync((short)(VitalSignsCalculator.IsFloodKind(file.Kind) ? 1 : VitalSignsCalculator.IsSafetyKind(file.Kind) ? 2 : 0));
            await import.WriteAsync(thresholds.Blue);
            await import.WriteAsync(thresholds.Yellow);
            await import.WriteAsync(thresholds.Orange);
            await import.WriteAsync(thresholds.Red);
        }
        await import.CompleteAsync();
    }

    /// <summary>Starts a round from an empty readings table, as if the platform had just started.</summary>
    public async Task ResetAsync()
    {
        await using var connection = await OpenAsync();
        await Execute(connection, "TRUNCATE bench_reading");
    }

    /// <summary>Inserts readings [first, first + count) of the workload, recomputing after each batch; returns the last recompute.</summary>
    public async Task<IReadOnlyDictionary<int, (double Flood, double Safety)>> ApplyAsync(long first, int count)
    {
        await using var connection = await OpenAsync();
        IReadOnlyDictionary<int, (double, double)> signs = new Dictionary<int, (double, double)>();
        for (var start = first; start < first + count; start += Batch)
        {
            await using (var transaction = await connection.BeginTransactionAsync())
            await using (var batch = new NpgsqlBatch(connection, transaction))
            {
                for (var n = start; n < Math.Min(first + count, start + Batch); n++)
                {
                    var (sensor, pass) = ReadingOf(n);
                    var insert = new NpgsqlBatchCommand("INSERT INTO bench_reading (sensor_id, measured_at, value) VALUES ($1, $2, $3)");
                    insert.Parameters.Add(new NpgsqlParameter<int> { TypedValue = sensor });
                    insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = ReadingWorkload.TimeOf(pass).UtcTicks });
                    insert.Parameters.Add(new NpgsqlParameter<double> { TypedValue = workload.ValueOf(sensor, pass) });
                    batch.BatchCommands.Add(insert);
                }
                await batch.ExecuteNonQueryAsync();
                await transaction.CommitAsync();
            }
            signs = await RecomputeAsync(connection);
        }
        return signs;
    }

    /// <summary>Reading n of the workload: sensor n mod sensors, in pass n / sensors + 1.</summary>
    public (int Sensor, long Pass) ReadingOf(long n) => ((int)(n % workload.Sensors), n / workload.Sensors + 1);

    private async Task<IReadOnlyDictionary<int, (double Flood, double Safety)>> RecomputeAsync(NpgsqlConnection connection)
    {
        string W(AlarmLevel level) => weights.Severity(level).ToString(CultureInfo.InvariantCulture);
        await using var command = new NpgsqlCommand($"""
            SELECT s.district,
                   coalesce(sum(severity) FILTER (WHERE s.idx = 1), 0),
                   coalesce(sum(severity) FILTER (WHERE s.idx = 2), 0)
            FROM (SELECT DISTINCT ON (sensor_id) sensor_id, value FROM bench_reading ORDER BY sensor_id, measured_at DESC) latest
            JOIN bench_sensor s ON s.id = latest.sensor_id
            CROSS JOIN LATERAL (SELECT CASE WHEN latest.value >= s.red THEN {W(AlarmLevel.Red)} WHEN latest.value >= s.orange THEN {W(AlarmLevel.Orange)}
                                            WHEN latest.value >= s.yellow THEN {W(AlarmLevel.Yellow)} WHEN latest.value >= s.blue THEN {W(AlarmLevel.Blue)}
                                            ELSE 0 END AS severity) level
            GROUP BY s.district
            """, connection);
        var signs = new Dictionary<int, (double, double)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            signs[reader.GetInt32(0)] = (reader.GetDouble(1), reader.GetDouble(2));
        }
        return signs;
    }

    private async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        return connection;
    }

    private static async Task Execute(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
