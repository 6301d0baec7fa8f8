-- Built-in (pg_catalog) data types that columns of user relations use,
-- directly or as array elements: each must still exist on the target
-- (abstime, reltime and tinterval left in PostgreSQL 12). Up to 5 columns
-- named per type.
SELECT coalesce(e.typname, t.typname) AS type,
       count(*) AS columns,
       array_to_string((array_agg(format('%I.%I.%I', n.nspname, c.relname, a.attname)
                                  ORDER BY n.nspname, c.relname, a.attnum))[1:5], ', ') AS names
  FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_type t ON t.oid = a.atttypid
  LEFT JOIN pg_type e ON e.oid = t.typelem AND t.typlen = -1 AND t.typelem <> 0
 WHERE a.attnum > 0 AND NOT a.attisdropped
   AND c.relkind IN ('r', 'p', 'm', 'f', 'c', 'v')
   AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname !~ '^pg_(toast|temp_)'
   AND coalesce(e.typnamespace, t.typnamespace) = 'pg_catalog'::regnamespace
 GROUP BY 1
 ORDER BY 1
