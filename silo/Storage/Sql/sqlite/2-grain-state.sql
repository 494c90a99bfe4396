-- Grain state of Orleans' ADO.NET grain storage and of the twin's group-commit storage: both read and write these rows.
-- A state is found by its hashes first (a narrow index), then by its full key, which settles hash collisions.
-- grain_id_extension is '' rather than NULL when a key has no extension, so the unique key can decide an upsert.
CREATE TABLE IF NOT EXISTS orleans_grain_state
(
    grain_id_hash      INTEGER NOT NULL,
    grain_type_hash    INTEGER NOT NULL,
    service_id         TEXT    NOT NULL,
    grain_type         TEXT    NOT NULL,
    grain_id_n0        INTEGER NOT NULL,
    grain_id_n1        INTEGER NOT NULL,
    grain_id_extension TEXT    NOT NULL DEFAULT '',
    payload            BLOB    NULL,
    version            INTEGER NOT NULL,
    modified_on        TEXT    NOT NULL,
    UNIQUE (grain_id_hash, grain_type_hash, service_id, grain_type, grain_id_n0, grain_id_n1, grain_id_extension)
);

-- Reads one state: its payload (NULL once cleared) and its version, the ETag.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadFromStorageKey', '
    SELECT payload AS PayloadBinary, version AS Version
    FROM orleans_grain_state
    WHERE grain_id_hash = @GrainIdHash AND grain_type_hash = @GrainTypeHash
      AND service_id = @ServiceId AND grain_type = @GrainTypeString
      AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
      AND grain_id_extension = COALESCE(@GrainIdExtensionString, '''');
')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- Writes one state if the caller holds the current version (NULL: the caller found no row, so it inserts version 1).
-- One statement, so changes() tells whether it took effect: the new version if it did; the caller's version if it did
-- not (the provider reads a version equal to its ETag, or no row at all for a NULL ETag, as a conflict).
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('WriteToStorageKey', '
    INSERT INTO orleans_grain_state
        (grain_id_hash, grain_type_hash, service_id, grain_type, grain_id_n0, grain_id_n1, grain_id_extension,
         payload, version, modified_on)
    SELECT @GrainIdHash, @GrainTypeHash, @ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1,
           COALESCE(@GrainIdExtensionString, ''''), @PayloadBinary, 1, strftime(''%Y-%m-%dT%H:%M:%fZ'', ''now'')
    WHERE @GrainStateVersion IS NULL OR EXISTS (
        SELECT 1 FROM orleans_grain_state
        WHERE grain_id_hash = @GrainIdHash AND grain_type_hash = @GrainTypeHash
          AND service_id = @ServiceId AND grain_type = @GrainTypeString
          AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
          AND grain_id_extension = COALESCE(@GrainIdExtensionString, ''''))
    ON CONFLICT (grain_id_hash, grain_type_hash, service_id, grain_type, grain_id_n0, grain_id_n1, grain_id_extension)
    DO UPDATE SET payload = excluded.payload, version = orleans_grain_state.version + 1, modified_on = excluded.modified_on
        WHERE orleans_grain_state.version = @GrainStateVersion;

    SELECT COALESCE(@GrainStateVersion + 1, 1) AS NewGrainStateVersion WHERE changes() > 0
    UNION ALL
    SELECT @GrainStateVersion AS NewGrainStateVersion WHERE changes() = 0 AND @GrainStateVersion IS NOT NULL;
')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- Clears one state: the row stays, its payload goes and its version moves on, so a stale writer still conflicts.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ClearStorageKey', '
    UPDATE orleans_grain_state
    SET payload = NULL, version = version + 1, modified_on = strftime(''%Y-%m-%dT%H:%M:%fZ'', ''now'')
    WHERE grain_id_hash = @GrainIdHash AND grain_type_hash = @GrainTypeHash
      AND service_id = @ServiceId AND grain_type = @GrainTypeString
      AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
      AND grain_id_extension = COALESCE(@GrainIdExtensionString, '''')
      AND version = @GrainStateVersion;

    SELECT @GrainStateVersion + 1 AS NewGrainStateVersion WHERE changes() > 0
    UNION ALL
    SELECT @GrainStateVersion AS NewGrainStateVersion WHERE changes() = 0 AND @GrainStateVersion IS NOT NULL;
')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- The twin's group-commit storage: writes one state of a group transaction with the version the writer chose (the
-- next one for a write-through; for a write-behind, the version the grain already holds after several writes).
-- Same rows and keys as WriteToStorageKey; NULL @PayloadBinary clears. Returns a row only when the write took effect.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('TwinGroupWriteKey', '
    INSERT INTO orleans_grain_state
        (grain_id_hash, grain_type_hash, service_id, grain_type, grain_id_n0, grain_id_n1, grain_id_extension,
         payload, version, modified_on)
    SELECT @GrainIdHash, @GrainTypeHash, @ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1,
           COALESCE(@GrainIdExtensionString, ''''), @PayloadBinary, @NewGrainStateVersion,
           strftime(''%Y-%m-%dT%H:%M:%fZ'', ''now'')
    WHERE @GrainStateVersion IS NULL OR EXISTS (
        SELECT 1 FROM orleans_grain_state
        WHERE grain_id_hash = @GrainIdHash AND grain_type_hash = @GrainTypeHash
          AND service_id = @ServiceId AND grain_type = @GrainTypeString
          AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
          AND grain_id_extension = COALESCE(@GrainIdExtensionString, ''''))
    ON CONFLICT (grain_id_hash, grain_type_hash, service_id, grain_type, grain_id_n0, grain_id_n1, grain_id_extension)
    DO UPDATE SET payload = excluded.payload, version = excluded.version, modified_on = excluded.modified_on
        WHERE orleans_grain_state.version = @GrainStateVersion;

    SELECT @NewGrainStateVersion AS NewGrainStateVersion WHERE changes() > 0;
')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- The twin's group-commit storage on SQLite: the same write as TwinGroupWriteKey in two single statements, chosen by
-- whether the writer holds a version. A state already stored (every hot row after its first save) is one UPDATE
-- through the unique key, where the upsert looked the key up three times (the EXISTS, the insert's conflict, the
-- update) and ran a second statement for the answer: the group commit of 100,000 sensors' hot rows is the busiest
-- thread at city scale. Each takes effect on one row or none; the command's count of changed rows says which.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('TwinGroupUpdateKey', '
    UPDATE orleans_grain_state
    SET payload = @PayloadBinary, version = @NewGrainStateVersion, modified_on = strftime(''%Y-%m-%dT%H:%M:%fZ'', ''now'')
    WHERE grain_id_hash = @GrainIdHash AND grain_type_hash = @GrainTypeHash
      AND service_id = @ServiceId AND grain_type = @GrainTypeString
      AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
      AND grain_id_extension = COALESCE(@GrainIdExtensionString, '''')
      AND version = @GrainStateVersion;
')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('TwinGroupInsertKey', '
    INSERT INTO orleans_grain_state
        (grain_id_hash, grain_type_hash, service_id, grain_type, grain_id_n0, grain_id_n1, grain_id_extension,
         payload, version, modified_on)
    VALUES (@GrainIdHash, @GrainTypeHash, @ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1,
            COALESCE(@GrainIdExtensionString, ''''), @PayloadBinary, @NewGrainStateVersion,
            strftime(''%Y-%m-%dT%H:%M:%fZ'', ''now''))
    ON CONFLICT (grain_id_hash, grain_type_hash, service_id, grain_type, grain_id_n0, grain_id_n1, grain_id_extension)
    DO NOTHING;
')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;
