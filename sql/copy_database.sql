-- The current database's properties that CREATE DATABASE on the target must
-- reproduce: encoding, locale (libc or ICU), owner, comment, connection limit,
-- whether it is a template.
SELECT d.datname AS name,
       pg_encoding_to_char(d.encoding) AS encoding,
       d.datcollate AS collate,
       d.datctype AS ctype,
       coalesce(to_jsonb(d) ->> 'datlocprovider', 'c') AS locale_provider,
       coalesce(to_jsonb(d) ->> 'daticulocale', to_jsonb(d) ->> 'datlocale') AS icu_locale,
       to_jsonb(d) ->> 'daticurules' AS icu_rules,
       pg_get_userbyid(d.datdba) AS owner,
       d.datconnlimit AS conn_limit,
       d.datistemplate AS is_template,
       shobj_description(d.oid, 'pg_database') AS comment,
       (SELECT count(*) FROM pg_largeobject_metadata) AS large_objects
  FROM pg_database d
 WHERE d.datname = current_database()
