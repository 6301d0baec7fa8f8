-- The sessions of earlier holders of a migration's lease (docs/NODES.md,
-- Fencing), ended: each worker names its sessions "pgshuttle m<ID> e<EPOCH>"
-- (PGAPPNAME, so its pg_dump and pg_restore too). Walsenders are in
-- pg_stat_activity from PostgreSQL 10 on, in pg_stat_replication before.
-- $1: the prefix "pgshuttle m<ID> e"; $2: the new holder's epoch.
WITH sessions AS (
    SELECT pid, application_name FROM pg_stat_activity
    UNION
    SELECT pid, application_name FROM pg_stat_replication
), tagged AS (
    SELECT pid, application_name,
           CASE WHEN substring(application_name FROM length($1) + 1) ~ '^[0-9]{1,18}$'
                THEN substring(application_name FROM length($1) + 1)::bigint END AS epoch
    FROM sessions
    WHERE pid <> pg_backend_pid()
      AND left(application_name, length($1)) = $1
)
SELECT pid, application_name, pg_terminate_backend(pid) AS ended
FROM tagged
WHERE epoch < $2::bigint
