-- The database of online_least_privilege.sh, created as pgs_owner (the
-- migration's roles own none of it): a foreign key with ON DELETE CASCADE,
-- an audit trigger (with a comment) writing another table, an ENABLE ALWAYS
-- trigger, a rule, a sequence, a table without a key, a large object.
SET ROLE pgs_owner;
CREATE TABLE parent (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE child (
    id bigserial PRIMARY KEY,
    parent_id int NOT NULL REFERENCES parent ON DELETE CASCADE,
    v int NOT NULL DEFAULT 0
);
CREATE INDEX child_parent_id ON child (parent_id);
COMMENT ON CONSTRAINT child_parent_id_fkey ON child IS 'children go with their parent';
CREATE TABLE audit (
    id bigserial PRIMARY KEY,
    tbl text NOT NULL,
    op text NOT NULL,
    row_id bigint
);
CREATE FUNCTION audit_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO public.audit (tbl, op, row_id)
    VALUES (TG_TABLE_NAME, TG_OP, CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END);
    RETURN NULL;
END $$;
CREATE TRIGGER child_audit AFTER INSERT OR UPDATE OR DELETE ON child
    FOR EACH ROW EXECUTE FUNCTION audit_row();
COMMENT ON TRIGGER child_audit ON child IS 'every change of a child is audited';
CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.touched := NEW.touched + 1;
    RETURN NEW;
END $$;
CREATE TABLE counters (id int PRIMARY KEY, n int NOT NULL, touched int NOT NULL DEFAULT 0);
CREATE TRIGGER counters_stamp BEFORE UPDATE ON counters FOR EACH ROW EXECUTE FUNCTION stamp();
ALTER TABLE counters DISABLE TRIGGER counters_stamp;
CREATE RULE counters_keep AS ON DELETE TO counters DO INSTEAD NOTHING;
COMMENT ON RULE counters_keep ON counters IS 'counters are never deleted';
CREATE TABLE notes (body text);
CREATE SEQUENCE ticket_seq;

INSERT INTO parent SELECT g, 'parent ' || g FROM generate_series(1, 2000) g;
INSERT INTO child (parent_id, v) SELECT 1 + g % 2000, g FROM generate_series(1, 20000) g;
INSERT INTO counters SELECT g, 0 FROM generate_series(1, 10) g;
INSERT INTO notes SELECT 'note ' || g FROM generate_series(1, 100) g;
SELECT setval('ticket_seq', 42);
SELECT lo_from_bytea(0, 'a large object of pgs_owner');
RESET ROLE;
