-- Large objects to copy, with owner, privileges and comment.
SELECT m.oid::bigint AS oid,
       pg_get_userbyid(m.lomowner) AS owner,
       (SELECT string_agg(coalesce(quote_ident(r.rolname), 'PUBLIC') || ':' || x.privilege_type
                          || CASE WHEN x.is_grantable THEN '*' ELSE '' END, ',')
          FROM aclexplode(m.lomacl) x
          LEFT JOIN pg_roles r ON r.oid = x.grantee
         WHERE x.grantee <> m.lomowner) AS grants,
       obj_description(m.oid, 'pg_largeobject') AS comment
  FROM pg_largeobject_metadata m
 ORDER BY m.oid
