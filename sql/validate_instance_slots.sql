-- pgshuttle validate (Replication slots): the replication slots that exist
-- on the source, each described for a message. Works on 9.5+.
SELECT s.slot_name,
       s.active,
       pg_catalog.format('%s (%s%s, %s)', s.slot_name, s.slot_type,
                         CASE WHEN s.database IS NOT NULL THEN ' in ' || s.database ELSE '' END,
                         CASE WHEN s.active THEN 'active' ELSE 'inactive' END) AS description
  FROM pg_catalog.pg_replication_slots s
 ORDER BY s.slot_name
