-- Every extension version the target server can create (its control and
-- script files), whether it is the default version CREATE EXTENSION picks,
-- and who may create it: superuser = true needs a superuser unless the
-- version is trusted (13+).
SELECT v.name, v.version, v.version = a.default_version AS is_default,
       a.default_version, v.superuser,
       coalesce((to_jsonb(v) ->> 'trusted')::boolean, false) AS trusted
  FROM pg_available_extension_versions v
  JOIN pg_available_extensions a ON a.name = v.name
 ORDER BY v.name, v.version
