-- The current database's encoding and locale (libc, ICU or builtin), which
-- CREATE DATABASE on the target must reproduce, and the collation version
-- recorded for it (15+). Works on 9.5+ through to_jsonb.
SELECT pg_encoding_to_char(d.encoding) AS encoding,
       d.datcollate AS collate,
       d.datctype AS ctype,
       coalesce(to_jsonb(d) ->> 'datlocprovider', 'c') AS provider,
       coalesce(to_jsonb(d) ->> 'datlocale', to_jsonb(d) ->> 'daticulocale') AS locale,
       to_jsonb(d) ->> 'daticurules' AS rules,
       to_jsonb(d) ->> 'datcollversion' AS recorded_version
  FROM pg_database d
 WHERE d.datname = current_database()
