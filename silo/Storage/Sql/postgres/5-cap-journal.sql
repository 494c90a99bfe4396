-- The alert journal (silo/Cap): every alarm change and mode switch the twin sends a CAP alert for, one row per
-- identifier (made from the change, so a change recorded again is kept once: INSERT ... ON CONFLICT DO NOTHING).
-- seq is the order of recording, the same for every silo over this database: "the latest N" walk it backwards.
-- change is the change itself (JSON); the CAP alert is rendered from it when asked.
-- An Update or Cancel finds the Alert that opened its episode by sensor, episode and time (twin_cap_journal_episode).
CREATE TABLE IF NOT EXISTS twin_cap_journal
(
    seq            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    identifier     VARCHAR(256) NOT NULL UNIQUE,
    kind           VARCHAR(8)   NOT NULL,
    sent_ticks     BIGINT       NOT NULL,
    sensor_id      VARCHAR(128) NULL,
    episode        INTEGER      NULL,
    opens_episode  INTEGER      NOT NULL,
    change         TEXT         NOT NULL
);

CREATE INDEX IF NOT EXISTS twin_cap_journal_episode
    ON twin_cap_journal (sensor_id, episode, sent_ticks) WHERE opens_episode = 1;
