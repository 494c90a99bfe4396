-- Reminders for Orleans' ADO.NET reminder table: durable deadlines, found after any silo restarts.
-- A reminder is one row per grain and name; grain_hash places it on the silos' ring.
CREATE TABLE IF NOT EXISTS orleans_reminder
(
    service_id    varchar(150) NOT NULL,
    grain_id      varchar(150) NOT NULL,
    reminder_name varchar(150) NOT NULL,
    start_time    timestamptz  NOT NULL,
    period_ms     bigint       NOT NULL,
    grain_hash    integer      NOT NULL,
    version       integer      NOT NULL,
    CONSTRAINT pk_orleans_reminder PRIMARY KEY (service_id, grain_id, reminder_name)
);

CREATE INDEX IF NOT EXISTS ix_orleans_reminder_ring ON orleans_reminder (service_id, grain_hash);

-- Registers or moves a reminder; its version, the ETag, starts at 0 and counts the changes.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('UpsertReminderRowKey', '
    INSERT INTO orleans_reminder (service_id, grain_id, reminder_name, start_time, period_ms, grain_hash, version)
    VALUES (CAST(@ServiceId AS varchar), CAST(@GrainId AS varchar), CAST(@ReminderName AS varchar),
            CAST(@StartTime AS timestamptz), CAST(@Period AS bigint), CAST(@GrainHash AS integer), 0)
    ON CONFLICT ON CONSTRAINT pk_orleans_reminder DO UPDATE SET
        start_time = excluded.start_time, period_ms = excluded.period_ms, grain_hash = excluded.grain_hash,
        version = orleans_reminder.version + 1
    RETURNING version AS Version;
')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadReminderRowsKey', '
    SELECT grain_id AS GrainId, reminder_name AS ReminderName, start_time AS StartTime, period_ms AS Period,
           version AS Version
    FROM orleans_reminder
    WHERE service_id = CAST(@ServiceId AS varchar) AND grain_id = CAST(@GrainId AS varchar);
')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadReminderRowKey', '
    SELECT grain_id AS GrainId, reminder_name AS ReminderName, start_time AS StartTime, period_ms AS Period,
           version AS Version
    FROM orleans_reminder
    WHERE service_id = CAST(@ServiceId AS varchar) AND grain_id = CAST(@GrainId AS varchar)
      AND reminder_name = CAST(@ReminderName AS varchar);
')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- A silo's share of the ring, (BeginHash, EndHash], when it does not wrap round in signed order...
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadRangeRows1Key', '
    SELECT grain_id AS GrainId, reminder_name AS ReminderName, start_time AS StartTime, period_ms AS Period,
           version AS Version
    FROM orleans_reminder
    WHERE service_id = CAST(@ServiceId AS varchar)
      AND grain_hash > CAST(@BeginHash AS integer) AND grain_hash <= CAST(@EndHash AS integer);
')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- ...and when it does (a lone silo owns the whole ring this way).
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadRangeRows2Key', '
    SELECT grain_id AS GrainId, reminder_name AS ReminderName, start_time AS StartTime, period_ms AS Period,
           version AS Version
    FROM orleans_reminder
    WHERE service_id = CAST(@ServiceId AS varchar)
      AND (grain_hash > CAST(@BeginHash AS integer) OR grain_hash <= CAST(@EndHash AS integer));
')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- Removes a reminder if the caller holds its current version; answers one column, the rows that went (0 or 1).
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteReminderRowKey', '
    WITH deleted AS (
        DELETE FROM orleans_reminder
        WHERE service_id = CAST(@ServiceId AS varchar) AND grain_id = CAST(@GrainId AS varchar)
          AND reminder_name = CAST(@ReminderName AS varchar) AND version = CAST(@Version AS integer)
        RETURNING 1)
    SELECT CAST(count(*) AS integer) AS Deleted FROM deleted;
')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteReminderRowsKey', '
    DELETE FROM orleans_reminder WHERE service_id = CAST(@ServiceId AS varchar);
')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;
