-- Foreign servers of the current database with their wrapper, how many
-- user mappings and foreign tables use them. The restore re-creates them;
-- the rows of foreign tables stay on the foreign server.
SELECT s.srvname AS server, w.fdwname AS wrapper,
       (SELECT count(*) FROM pg_user_mappings m WHERE m.srvid = s.oid) AS mappings,
       (SELECT count(*) FROM pg_foreign_table ft WHERE ft.ftserver = s.oid) AS tables
  FROM pg_foreign_server s
  JOIN pg_foreign_data_wrapper w ON w.oid = s.srvfdw
 WHERE NOT EXISTS (SELECT 1 FROM pg_depend d
                    WHERE d.classid = 'pg_foreign_server'::regclass AND d.objid = s.oid
                      AND d.deptype = 'e')
 ORDER BY s.srvname
