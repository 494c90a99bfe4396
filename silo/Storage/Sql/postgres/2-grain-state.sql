-- Grain state of Orleans' ADO.NET grain storage and of the twin's group-commit storage: both read and write these rows.
-- A state is found by its hashes first (a narrow index), then by its full key, which settles hash collisions.
-- grain_id_extension is '' rather than NULL when a key has no extension, so the unique key can decide an upsert.
CREATE TABLE IF NOT EXISTS orleans_grain_state
(
    grain_id_hash      integer      NOT NULL,
    grain_type_hash    integer      NOT NULL,
    service_id         varchar(150) NOT NULL,
    grain_type         varchar(512) NOT NULL,
    grain_id_n0        bigint       NOT NULL,
    grain_id_n1        bigint       NOT NULL,
    grain_id_extension varchar(512) NOT NULL DEFAULT '',
    payload            bytea        NULL,
    version            integer      NOT NULL,
    modified_on        timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT uq_orleans_grain_state
        UNIQUE (grain_id_hash, grain_type_hash, service_id, grain_type, grain_id_n0, grain_id_n1, grain_id_extension)
);

-- Reads one state: its payload (NULL once cleared) and its version, the ETag.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadFromStorageKey', '
    SELECT payload AS PayloadBinary, version AS Version
    FROM orleans_grain_state
    WHERE grain_id_hash = CAST(@GrainIdHash AS integer) AND grain_type_hash = CAST(@GrainTypeHash AS integer)
      AND service_id = CAST(@ServiceId AS varchar) AND grain_type = CAST(@GrainTypeString AS varchar)
      AND grain_id_n0 = CAST(@GrainIdN0 AS bigint) AND grain_id_n1 = CAST(@GrainIdN1 AS bigint)
      AND grain_id_extension = COALESCE(CAST(@GrainIdExtensionString AS varchar), '''');
')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- Writes one state if the caller holds the current version (NULL: the caller found no row, so it inserts version 1).
-- Answers the new version if the write took effect; if it did not, the caller's version (or no row for a NULL
-- ETag), which the provider reads as a conflict. ON CONFLICT settles two first writers racing for one row.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('WriteToStorageKey', '
    WITH written AS (
        INSERT INTO orleans_grain_state
            (grain_id_hash, grain_type_hash, service_id, grain_type, grain_id_n0, grain_id_n1, grain_id_extension,
             payload, version)
        SELECT CAST(@GrainIdHash AS integer), CAST(@GrainTypeHash AS integer), CAST(@ServiceId AS varchar),
               CAST(@GrainTypeString AS varchar), CAST(@GrainIdN0 AS bigint), CAST(@GrainIdN1 AS bigint),
               COALESCE(CAST(@GrainIdExtensionString AS varchar), ''''), CAST(@PayloadBinary AS bytea), 1
        WHERE CAST(@GrainStateVersion AS integer) IS NULL OR EXISTS (
            SELECT 1 FROM orleans_grain_state
            WHERE grain_id_hash = CAST(@GrainIdHash AS integer) AND grain_type_hash = CAST(@GrainTypeHash AS integer)
              AND service_id = CAST(@ServiceId AS varchar) AND grain_type = CAST(@GrainTypeString AS varchar)
              AND grain_id_n0 = CAST(@GrainIdN0 AS bigint) AND grain_id_n1 = CAST(@GrainIdN1 AS bigint)
              AND grain_id_extension = COALESCE(CAST(@GrainIdExtensionString AS varchar), ''''))
        ON CONFLICT ON CONSTRAINT uq_orleans_grain_state
        DO UPDATE SET payload = excluded.payload, version = orleans_grain_state.version + 1, modified_on = now()
            WHERE orleans_grain_state.version = CAST(@GrainStateVersion AS integer)
        RETURNING version)
    SELECT version AS NewGrainStateVersion FROM written
    UNION ALL
    SELECT CAST(@GrainStateVersion AS integer) AS NewGrainStateVersion
    WHERE NOT EXISTS (SELECT 1 FROM written) AND CAST(@GrainStateVersion AS integer) IS NOT NULL;
')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- Clears one state: the row stays, its payload goes and its version moves on, so a stale writer still conflicts.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ClearStorageKey', '
    WITH cleared AS (
        UPDATE orleans_grain_state
        SET payload = NULL, version = version + 1, modified_on = now()
        WHERE grain_id_hash = CAST(@GrainIdHash AS integer) AND grain_type_hash = CAST(@GrainTypeHash AS integer)
          AND service_id = CAST(@ServiceId AS varchar) AND grain_type = CAST(@GrainTypeString AS varchar)
          AND grain_id_n0 = CAST(@GrainIdN0 AS bigint) AND grain_id_n1 = CAST(@GrainIdN1 AS bigint)
          AND grain_id_extension = COALESCE(CAST(@GrainIdExtensionString AS varchar), '''')
          AND version = CAST(@GrainStateVersion AS integer)
        RETURNING version)
    SELECT version AS NewGrainStateVersion FROM cleared
    UNION ALL
    SELECT CAST(@GrainStateVersion AS integer) AS NewGrainStateVersion
    WHERE NOT EXISTS (SELECT 1 FROM cleared) AND CAST(@GrainStateVersion AS integer) IS NOT NULL;
')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- The twin's group-commit storage: writes one state of a group transaction with the version the writer chose (the
-- next one for a write-through; for a write-behind, the version the grain already holds after several writes).
-- Same rows and keys as WriteToStorageKey; NULL @PayloadBinary clears. Returns a row only when the write took effect.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('TwinGroupWriteKey', '
    INSERT INTO orleans_grain_state
        (grain_id_hash, grain_type_hash, service_id, grain_type, grain_id_n0, grain_id_n1, grain_id_extension,
         payload, version)
    SELECT CAST(@GrainIdHash AS integer), CAST(@GrainTypeHash AS integer), CAST(@ServiceId AS varchar),
           CAST(@GrainTypeString AS varchar), CAST(@GrainIdN0 AS bigint), CAST(@GrainIdN1 AS bigint),
           COALESCE(CAST(@GrainIdExtensionString AS varchar), ''''), CAST(@PayloadBinary AS bytea),
           CAST(@NewGrainStateVersion AS integer)
    WHERE CAST(@GrainStateVersion AS integer) IS NULL OR EXISTS (
        SELECT 1 FROM orleans_grain_state
        WHERE grain_id_hash = CAST(@GrainIdHash AS integer) AND grain_type_hash = CAST(@GrainTypeHash AS integer)
          AND service_id = CAST(@ServiceId AS varchar) AND grain_type = CAST(@GrainTypeString AS varchar)
          AND grain_id_n0 = CAST(@GrainIdN0 AS bigint) AND grain_id_n1 = CAST(@GrainIdN1 AS bigint)
          AND grain_id_extension = COALESCE(CAST(@GrainIdExtensionString AS varchar), ''''))
    ON CONFLICT ON CONSTRAINT uq_orleans_grain_state
    DO UPDATE SET payload = excluded.payload, version = excluded.version, modified_on = now()
        WHERE orleans_grain_state.version = CAST(@GrainStateVersion AS integer)
    RETURNING version AS NewGrainStateVersion;
')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;
