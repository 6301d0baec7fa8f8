-- The PostgreSQL state store, schema step 1 (pg_schema.c runs it in an empty
-- schema, the connection's search_path): every table of the SQLite store's
-- version 3 (sql/store_v1.sql to store_v3.sql) in PostgreSQL's types, and
-- the version table. Ids and sequence numbers are identities never given
-- again (a worker still holding an old id cannot write into a new
-- migration). Times are wall-clock seconds since the epoch. spec_json and
-- the values of secret settings are sealed (util/seal.h).
CREATE TABLE schema_version (
    version integer NOT NULL
);
INSERT INTO schema_version (version) VALUES (0);

CREATE TABLE migrations (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL UNIQUE,
    spec_json text NOT NULL,
    state_json text,
    status text NOT NULL,
    substatus text NOT NULL,
    active boolean NOT NULL DEFAULT true,
    created double precision NOT NULL,
    updated double precision NOT NULL,
    window_start double precision NOT NULL DEFAULT 0,
    starts integer NOT NULL DEFAULT 0,
    lease_owner text,
    lease_pid bigint NOT NULL DEFAULT 0,
    lease_node text,
    lease_expires double precision NOT NULL DEFAULT 0,
    lease_epoch bigint NOT NULL DEFAULT 0,
    stale_writes bigint NOT NULL DEFAULT 0
);
CREATE INDEX migrations_active ON migrations (active, created);

CREATE TABLE events (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    migration_id bigint NOT NULL REFERENCES migrations (id) ON DELETE CASCADE,
    at double precision NOT NULL,
    kind text NOT NULL,
    json text NOT NULL
);
CREATE INDEX events_migration ON events (migration_id, seq);

CREATE TABLE requests (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    migration_id bigint NOT NULL REFERENCES migrations (id) ON DELETE CASCADE,
    kind text NOT NULL,
    databases_json text,
    at double precision NOT NULL,
    taken boolean NOT NULL DEFAULT false
);
CREATE INDEX requests_migration ON requests (migration_id, seq);

CREATE TABLE restarts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    migration_id bigint NOT NULL REFERENCES migrations (id) ON DELETE CASCADE,
    at double precision NOT NULL,
    reason text
);
CREATE INDEX restarts_migration ON restarts (migration_id, at);

CREATE TABLE nodes (
    name text PRIMARY KEY,
    address text,
    capacity integer NOT NULL DEFAULT 0,
    running integer NOT NULL DEFAULT 0,
    pid bigint NOT NULL DEFAULT 0,
    version text,
    started double precision NOT NULL,
    heartbeat double precision NOT NULL,
    draining boolean NOT NULL DEFAULT false,
    stopped boolean NOT NULL DEFAULT false
);

CREATE TABLE settings (
    key text PRIMARY KEY,
    value text NOT NULL
);
