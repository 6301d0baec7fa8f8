-- Column names of every user table in attnum order (dropped columns left
-- out): compared between source and target after the schema is restored,
-- since inheritance children can come back with their parents' order.
SELECT n.nspname AS schema, c.relname AS name,
       string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) AS columns
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
 WHERE c.relkind IN ('r', 'p', 'f')
   AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname !~ '^pg_(toast|temp_)'
 GROUP BY n.nspname, c.relname
 ORDER BY 1, 2
