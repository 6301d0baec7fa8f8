-- store_lease_claim (PostgreSQL): up to $5 active migrations whose lease
-- nobody holds or ran out at $3, oldest created first, taken for owner $1
-- on node $2 until $4 (pid 0: no worker yet; a new holder: one more start
-- and epoch). SKIP LOCKED: a row another node is claiming at this moment is
-- passed over, not waited for, so several nodes claim at once without
-- blocking each other or taking the same migration; a row locked after
-- another's commit is read again against the WHERE before it is taken.
WITH free AS (
    SELECT id FROM migrations
    WHERE active AND (lease_owner IS NULL OR lease_expires <= $3)
    ORDER BY created, id
    LIMIT $5
    FOR UPDATE SKIP LOCKED
)
UPDATE migrations m
SET lease_owner = $1, lease_pid = 0, lease_node = $2, lease_expires = $4,
    lease_epoch = m.lease_epoch + 1, starts = m.starts + 1
FROM free
WHERE m.id = free.id
RETURNING m.id
