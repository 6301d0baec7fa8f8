-- store_lease_acquire (PostgreSQL): owner $1 (pid $2, node $3) takes the
-- lease of migration $6 until $5 if nobody holds a live one at $4, or
-- renews its own. One statement: a concurrent taker's UPDATE waits for this
-- row and then reads it again, so two takers never both win. A new holder
-- (anyone but the owner in lease_owner) is one more start and one more
-- epoch; SET reads the row as it was.
UPDATE migrations
SET starts = starts + CASE WHEN lease_owner IS DISTINCT FROM $1 THEN 1 ELSE 0 END,
    lease_epoch = lease_epoch + CASE WHEN lease_owner IS DISTINCT FROM $1 THEN 1 ELSE 0 END,
    lease_owner = $1, lease_pid = $2, lease_node = $3, lease_expires = $5
WHERE id = $6 AND (lease_owner IS NULL OR lease_owner = $1 OR lease_expires <= $4)
RETURNING lease_epoch
