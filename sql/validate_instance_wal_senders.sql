-- pgshuttle validate (WAL senders): the WAL senders running on the source,
-- each described for a message. pg_stat_replication lists every WAL sender
-- slot in use on every version (from 10 on it joins pg_stat_activity's
-- walsender rows to them), so one query serves 9.5+; its pid, usename and
-- application_name are visible to every role.
SELECT pg_catalog.format('pid %s (%s, user %s)', r.pid,
                         COALESCE(NULLIF(r.application_name, ''), 'no application name'),
                         COALESCE(r.usename::text, '?')) AS description
  FROM pg_catalog.pg_stat_replication r
 ORDER BY r.pid
