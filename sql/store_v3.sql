-- The state store, upgrade from schema version 2 to 3: several nodes. The
-- lease's epoch grows by one with each new holder and fences the holder's
-- writes; stale_writes counts the writes refused because their writer had
-- lost the lease. nodes: the `serve` processes sharing the store; settings:
-- the service's own values (the API token), the first node's kept.
ALTER TABLE migrations ADD COLUMN lease_epoch INTEGER NOT NULL DEFAULT 0;
ALTER TABLE migrations ADD COLUMN stale_writes INTEGER NOT NULL DEFAULT 0;
CREATE INDEX migrations_active ON migrations (active, created);

CREATE TABLE nodes (
    name TEXT PRIMARY KEY,
    address TEXT,
    capacity INTEGER NOT NULL DEFAULT 0,
    running INTEGER NOT NULL DEFAULT 0,
    pid INTEGER NOT NULL DEFAULT 0,
    version TEXT,
    started REAL NOT NULL,
    heartbeat REAL NOT NULL,
    draining INTEGER NOT NULL DEFAULT 0,
    stopped INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
