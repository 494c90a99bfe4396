-- The one relational schema of CityOps.Twin, the same for SQLite and PostgreSQL (as Orleans' AdoNet
-- storage keeps one table for all grain state). Created on first start; every statement is idempotent.
-- Times are Unix milliseconds (UTC) so both databases store and compare them alike.

CREATE TABLE IF NOT EXISTS grain_state (
    grain_type   VARCHAR(256) NOT NULL,
    grain_key    VARCHAR(512) NOT NULL,
    state_name   VARCHAR(256) NOT NULL,
    -- 1 on the first write, +1 on every write and clear; a write names the version it read.
    version      BIGINT       NOT NULL,
    -- JSON of the state; NULL after a clear.
    payload      TEXT         NULL,
    modified_at  BIGINT       NOT NULL,
    PRIMARY KEY (grain_type, grain_key, state_name)
);

CREATE TABLE IF NOT EXISTS grain_reminder (
    grain_type     VARCHAR(256) NOT NULL,
    grain_key      VARCHAR(512) NOT NULL,
    reminder_name  VARCHAR(256) NOT NULL,
    start_at       BIGINT       NOT NULL,
    -- -1 for a one-shot reminder, removed once delivered.
    period_ms      BIGINT       NOT NULL,
    -- The next tick; a tick missed while the silo was down is delivered once at start.
    next_due_at    BIGINT       NOT NULL,
    PRIMARY KEY (grain_type, grain_key, reminder_name)
);
