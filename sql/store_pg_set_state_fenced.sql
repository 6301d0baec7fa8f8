-- store_migration_set_state with a fence (PostgreSQL): the holder's write,
-- only while lease_owner and lease_epoch are the fence's ($7, $8). A lease
-- past its expiry that nobody took over is still the holder's.
UPDATE migrations
SET state_json = $1, status = $2, substatus = $3, active = $4, updated = $5
WHERE id = $6 AND lease_owner = $7 AND lease_epoch = $8
