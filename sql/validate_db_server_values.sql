-- Columns whose values only mean something on the source server: reg*
-- types (objects referred to by OID, dumped as names), and transaction ids,
-- tuple ids, LSNs and snapshots. Arrays of them count too.
SELECT format('%I.%I.%I', n.nspname, c.relname, a.attname) AS name,
       coalesce(e.typname, t.typname) AS type,
       coalesce(e.typname, t.typname) LIKE 'reg%' AS is_reg
  FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_type t ON t.oid = a.atttypid
  LEFT JOIN pg_type e ON e.oid = t.typelem AND t.typlen = -1 AND t.typelem <> 0
 WHERE a.attnum > 0 AND NOT a.attisdropped
   AND c.relkind IN ('r', 'p', 'm')
   AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname !~ '^pg_(toast|temp_)'
   AND coalesce(e.typnamespace, t.typnamespace) = 'pg_catalog'::regnamespace
   AND coalesce(e.typname, t.typname) IN ('regclass', 'regtype', 'regproc', 'regprocedure',
       'regoper', 'regoperator', 'regnamespace', 'regrole', 'regconfig', 'regdictionary',
       'regcollation', 'xid', 'xid8', 'cid', 'tid', 'pg_lsn', 'pg_snapshot', 'txid_snapshot')
   AND NOT EXISTS (SELECT 1 FROM pg_depend d
                    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
 ORDER BY 3 DESC, 1
