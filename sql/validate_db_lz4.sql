-- Columns with an explicit COMPRESSION lz4 (14+), which the restore
-- repeats, and database or role-in-database settings that make lz4 the
-- default (applied to the target database as they are); with the
-- statement that undoes each on the source.
SELECT 'column' AS kind,
       format('%I.%I.%I', n.nspname, c.relname, a.attname) AS name,
       format('%s %I.%I ALTER COLUMN %I SET COMPRESSION pglz;',
              CASE WHEN c.relkind = 'm' THEN 'ALTER MATERIALIZED VIEW' ELSE 'ALTER TABLE' END,
              n.nspname, c.relname, a.attname) AS fix
  FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE a.attcompression = 'l' AND a.attnum > 0 AND NOT a.attisdropped
   AND c.relkind IN ('r', 'p', 'm')
   AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname !~ '^pg_(toast|temp_)'
UNION ALL
SELECT 'setting',
       w.target || ' SET default_toast_compression = lz4',
       w.target || ' RESET default_toast_compression;'
  FROM pg_db_role_setting s
  JOIN pg_database d ON d.oid = s.setdatabase
 CROSS JOIN LATERAL (SELECT CASE WHEN s.setrole = 0
                                 THEN format('ALTER DATABASE %I', d.datname)
                                 ELSE format('ALTER ROLE %I IN DATABASE %I',
                                             pg_get_userbyid(s.setrole), d.datname) END) AS w(target)
 WHERE d.datname = current_database()
   AND EXISTS (SELECT 1 FROM unnest(s.setconfig) AS cfg(x)
                WHERE lower(replace(x, ' ', '')) IN ('default_toast_compression=lz4',
                                                     'default_toast_compression=''lz4'''))
 ORDER BY 1, 2
