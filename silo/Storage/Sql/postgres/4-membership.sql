-- Cluster membership for Orleans' ADO.NET clustering: the silos of a deployment and one version row per deployment.
-- Every change of a silo's row moves the version on, and only a writer holding the current version may change it:
-- that is how silos agree who is alive (Orleans' membership protocol).
CREATE TABLE IF NOT EXISTS orleans_membership_version
(
    deployment_id varchar(150) NOT NULL,
    changed_on    timestamptz  NOT NULL DEFAULT now(),
    version       integer      NOT NULL DEFAULT 0,
    CONSTRAINT pk_orleans_membership_version PRIMARY KEY (deployment_id)
);

CREATE TABLE IF NOT EXISTS orleans_membership
(
    deployment_id  varchar(150)  NOT NULL,
    address        varchar(45)   NOT NULL,
    port           integer       NOT NULL,
    generation     integer       NOT NULL,
    silo_name      varchar(150)  NOT NULL,
    host_name      varchar(150)  NOT NULL,
    status         integer       NOT NULL,
    proxy_port     integer       NULL,
    suspect_times  varchar(8000) NULL,
    start_time     timestamptz   NOT NULL,
    i_am_alive_time timestamptz  NOT NULL,
    CONSTRAINT pk_orleans_membership PRIMARY KEY (deployment_id, address, port, generation),
    CONSTRAINT fk_orleans_membership_version FOREIGN KEY (deployment_id)
        REFERENCES orleans_membership_version (deployment_id)
);

-- Creates the deployment's version row once; answers 1 if this call created it, 0 if it was there.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('InsertMembershipVersionKey', '
    WITH created AS (
        INSERT INTO orleans_membership_version (deployment_id) VALUES (CAST(@DeploymentId AS varchar))
        ON CONFLICT ON CONSTRAINT pk_orleans_membership_version DO NOTHING
        RETURNING 1)
    SELECT CAST(count(*) AS integer) FROM created;
')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- Adds a silo if the caller holds the current version and the silo is not there yet: the version moves on and the
-- row is added in one statement, or neither happens. Answers 1 or 0.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('InsertMembershipKey', '
    WITH bumped AS (
        UPDATE orleans_membership_version
        SET version = version + 1, changed_on = now()
        WHERE deployment_id = CAST(@DeploymentId AS varchar) AND version = CAST(@Version AS integer)
          AND NOT EXISTS (
              SELECT 1 FROM orleans_membership
              WHERE deployment_id = CAST(@DeploymentId AS varchar) AND address = CAST(@Address AS varchar)
                AND port = CAST(@Port AS integer) AND generation = CAST(@Generation AS integer))
        RETURNING deployment_id),
    added AS (
        INSERT INTO orleans_membership
            (deployment_id, address, port, generation, silo_name, host_name, status, proxy_port,
             start_time, i_am_alive_time)
        SELECT deployment_id, CAST(@Address AS varchar), CAST(@Port AS integer), CAST(@Generation AS integer),
               CAST(@SiloName AS varchar), CAST(@HostName AS varchar), CAST(@Status AS integer),
               CAST(@ProxyPort AS integer), CAST(@StartTime AS timestamptz), CAST(@IAmAliveTime AS timestamptz)
        FROM bumped
        RETURNING 1)
    SELECT CAST(count(*) AS integer) FROM added;
')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- Changes a silo's status and suspicions if the caller holds the current version; answers 1 or 0.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('UpdateMembershipKey', '
    WITH bumped AS (
        UPDATE orleans_membership_version
        SET version = version + 1, changed_on = now()
        WHERE deployment_id = CAST(@DeploymentId AS varchar) AND version = CAST(@Version AS integer)
          AND EXISTS (
              SELECT 1 FROM orleans_membership
              WHERE deployment_id = CAST(@DeploymentId AS varchar) AND address = CAST(@Address AS varchar)
                AND port = CAST(@Port AS integer) AND generation = CAST(@Generation AS integer))
        RETURNING deployment_id),
    changed AS (
        UPDATE orleans_membership m
        SET status = CAST(@Status AS integer), suspect_times = CAST(@SuspectTimes AS varchar),
            i_am_alive_time = CAST(@IAmAliveTime AS timestamptz)
        FROM bumped
        WHERE m.deployment_id = bumped.deployment_id AND m.address = CAST(@Address AS varchar)
          AND m.port = CAST(@Port AS integer) AND m.generation = CAST(@Generation AS integer)
        RETURNING 1)
    SELECT CAST(count(*) AS integer) FROM changed;
')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- The heartbeat: no version check, Orleans expects it never to fail and reads no answer.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('UpdateIAmAlivetimeKey', '
    UPDATE orleans_membership
    SET i_am_alive_time = CAST(@IAmAliveTime AS timestamptz)
    WHERE deployment_id = CAST(@DeploymentId AS varchar) AND address = CAST(@Address AS varchar)
      AND port = CAST(@Port AS integer) AND generation = CAST(@Generation AS integer);
')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- One silo, or (with no silo row) only the version: the version row leads so the version always comes back.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('MembershipReadRowKey', '
    SELECT v.deployment_id AS DeploymentId, m.address AS Address, m.port AS Port, m.generation AS Generation,
           m.silo_name AS SiloName, m.host_name AS HostName, m.status AS Status, m.proxy_port AS ProxyPort,
           m.suspect_times AS SuspectTimes, m.start_time AS StartTime, m.i_am_alive_time AS IAmAliveTime,
           v.version AS Version
    FROM orleans_membership_version v
    LEFT JOIN orleans_membership m
        ON m.deployment_id = v.deployment_id AND m.address = CAST(@Address AS varchar)
       AND m.port = CAST(@Port AS integer) AND m.generation = CAST(@Generation AS integer)
    WHERE v.deployment_id = CAST(@DeploymentId AS varchar);
')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('MembershipReadAllKey', '
    SELECT v.deployment_id AS DeploymentId, m.address AS Address, m.port AS Port, m.generation AS Generation,
           m.silo_name AS SiloName, m.host_name AS HostName, m.status AS Status, m.proxy_port AS ProxyPort,
           m.suspect_times AS SuspectTimes, m.start_time AS StartTime, m.i_am_alive_time AS IAmAliveTime,
           v.version AS Version
    FROM orleans_membership_version v
    LEFT JOIN orleans_membership m ON m.deployment_id = v.deployment_id
    WHERE v.deployment_id = CAST(@DeploymentId AS varchar);
')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteMembershipTableEntriesKey', '
    DELETE FROM orleans_membership WHERE deployment_id = CAST(@DeploymentId AS varchar);
    DELETE FROM orleans_membership_version WHERE deployment_id = CAST(@DeploymentId AS varchar);
')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- The gateways clients may connect to: the silos with the status asked for (Active) and a proxy port.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('GatewaysQueryKey', '
    SELECT address AS Address, proxy_port AS ProxyPort, generation AS Generation
    FROM orleans_membership
    WHERE deployment_id = CAST(@DeploymentId AS varchar) AND status = CAST(@Status AS integer) AND proxy_port > 0;
')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- Forgets silos that are not active (3 is SiloStatus.Active) and gave no sign of life since the cutoff.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('CleanupDefunctSiloEntriesKey', '
    DELETE FROM orleans_membership
    WHERE deployment_id = CAST(@DeploymentId AS varchar) AND i_am_alive_time < CAST(@IAmAliveTime AS timestamptz)
      AND status <> 3;
')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;
