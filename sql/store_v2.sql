-- The state store, upgrade from schema version 1 to 2: the lease names the
-- holder's node (several nodes sharing one store), and the supervisor's
-- restart policy counts the restarts it recorded within a window.
ALTER TABLE migrations ADD COLUMN lease_node TEXT;

CREATE TABLE restarts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    migration_id INTEGER NOT NULL REFERENCES migrations (id) ON DELETE CASCADE,
    at REAL NOT NULL,
    reason TEXT
);
CREATE INDEX restarts_migration ON restarts (migration_id, at);
