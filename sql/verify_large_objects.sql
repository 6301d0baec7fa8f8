-- pgshuttle verify: every large object with the md5 of its contents.
SELECT m.oid::pg_catalog.int8 AS oid,
       pg_catalog.md5(pg_catalog.lo_get(m.oid)) AS md5
  FROM pg_catalog.pg_largeobject_metadata m
