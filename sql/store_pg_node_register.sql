-- store_node_register (PostgreSQL): node $1 registers at $7 (heartbeat the
-- same). A restart of the same name takes the row's place: started again,
-- not draining, not stopped.
INSERT INTO nodes (name, address, capacity, running, pid, version, started, heartbeat,
                   draining, stopped)
VALUES ($1, $2, $3, $4, $5, $6, $7, $7, false, false)
ON CONFLICT (name) DO UPDATE
SET address = excluded.address, capacity = excluded.capacity, running = excluded.running,
    pid = excluded.pid, version = excluded.version, started = excluded.started,
    heartbeat = excluded.heartbeat, draining = false, stopped = false
