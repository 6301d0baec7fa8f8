-- The state store, schema version 1 (store_open runs it on an empty file).
-- Ids and sequence numbers are AUTOINCREMENT so that a deleted migration's id
-- is never given to another: a worker still holding an old id cannot write
-- into a new migration. Times are wall-clock seconds since the epoch.
CREATE TABLE migrations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    spec_json TEXT NOT NULL,
    state_json TEXT,
    status TEXT NOT NULL,
    substatus TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    created REAL NOT NULL,
    updated REAL NOT NULL,
    window_start REAL NOT NULL DEFAULT 0,
    starts INTEGER NOT NULL DEFAULT 0,
    lease_owner TEXT,
    lease_pid INTEGER NOT NULL DEFAULT 0,
    lease_expires REAL NOT NULL DEFAULT 0
);

CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    migration_id INTEGER NOT NULL REFERENCES migrations (id) ON DELETE CASCADE,
    at REAL NOT NULL,
    kind TEXT NOT NULL,
    json TEXT NOT NULL
);
CREATE INDEX events_migration ON events (migration_id, seq);

CREATE TABLE requests (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    migration_id INTEGER NOT NULL REFERENCES migrations (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    databases_json TEXT,
    at REAL NOT NULL,
    taken INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX requests_migration ON requests (migration_id, seq);
