-- Privileges on the current database other than its owner's (grantee NULL
-- = PUBLIC). No row with has_acl = false means default privileges.
SELECT d.datacl IS NOT NULL AS has_acl, r.rolname AS grantee, x.privilege_type AS privilege,
       x.is_grantable AS grantable, x.grantee = 0 AS is_public
  FROM pg_database d
  LEFT JOIN LATERAL aclexplode(d.datacl) x ON true
  LEFT JOIN pg_roles r ON r.oid = x.grantee
 WHERE d.datname = current_database()
   AND (x.grantee IS NULL OR x.grantee <> d.datdba)
