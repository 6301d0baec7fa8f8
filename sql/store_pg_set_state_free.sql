-- store_migration_set_state with no fence (PostgreSQL): the supervisor's or
-- the API's write, only while no live lease covers the migration. It clears
-- an expired lease (the epoch stays), so that a stalled worker that comes
-- back finds its lease gone instead of writing over this verdict.
UPDATE migrations
SET state_json = $1, status = $2, substatus = $3, active = $4, updated = $5,
    lease_owner = NULL, lease_pid = 0, lease_node = NULL, lease_expires = 0
WHERE id = $6 AND (lease_owner IS NULL OR lease_expires <= $5)
