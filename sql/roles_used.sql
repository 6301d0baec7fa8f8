-- Roles that own objects of the current database's user schemas or are
-- granted privileges on them: the roles the target needs for ownership and
-- privileges to be kept.
WITH owners(role) AS (
    SELECT c.relowner FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp_)'
    UNION SELECT n.nspowner FROM pg_namespace n
     WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp_)'
    UNION SELECT p.proowner FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
    UNION SELECT t.typowner FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
     WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp_)'
    UNION SELECT (aclexplode(c.relacl)).grantee FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relacl IS NOT NULL AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    UNION SELECT (aclexplode(n.nspacl)).grantee FROM pg_namespace n
     WHERE n.nspacl IS NOT NULL AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    UNION SELECT (aclexplode(p.proacl)).grantee FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE p.proacl IS NOT NULL AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    UNION SELECT d.defaclrole FROM pg_default_acl d
    UNION SELECT (aclexplode(d.defaclacl)).grantee FROM pg_default_acl d
    UNION SELECT m.lomowner FROM pg_largeobject_metadata m
    UNION SELECT pol.r FROM pg_policy p, unnest(p.polroles) AS pol(r)
)
SELECT DISTINCT r.rolname AS name
  FROM owners o JOIN pg_roles r ON r.oid = o.role
 ORDER BY 1
