-- pgshuttle test fixture: a second, small database (migrating several
-- databases in one run).  Loads on PostgreSQL 10 and later.
--   psql -v ON_ERROR_STOP=1 -d DB -f tests/sql/fixture_small.sql

\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SET TimeZone = 'UTC';

DO $roles$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pgs_owner') THEN
        CREATE ROLE pgs_owner NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pgs_reader') THEN
        CREATE ROLE pgs_reader NOLOGIN;
    END IF;
END
$roles$;

DO $db$
BEGIN
    EXECUTE format('COMMENT ON DATABASE %I IS %L', current_database(), 'pgshuttle small fixture');
END
$db$;

CREATE SCHEMA inventory;
CREATE SCHEMA billing AUTHORIZATION pgs_owner;

CREATE TABLE inventory.warehouses (
    id      integer PRIMARY KEY,
    name    text NOT NULL UNIQUE,
    city    text
);
CREATE TABLE inventory.products (
    id      integer PRIMARY KEY,
    sku     text NOT NULL UNIQUE,
    name    text NOT NULL,
    price   numeric(10, 2) NOT NULL CHECK (price >= 0)
);
CREATE TABLE inventory.stock (
    warehouse_id    integer NOT NULL REFERENCES inventory.warehouses (id) ON DELETE CASCADE,
    product_id      integer NOT NULL REFERENCES inventory.products (id),
    qty             integer NOT NULL DEFAULT 0,
    PRIMARY KEY (warehouse_id, product_id)
);
CREATE SEQUENCE billing.invoice_no_seq START WITH 1000;
CREATE TABLE billing.invoices (
    invoice_no  integer PRIMARY KEY DEFAULT nextval('billing.invoice_no_seq'),
    product_id  integer NOT NULL REFERENCES inventory.products (id),
    quantity    integer NOT NULL,
    issued_at   timestamptz NOT NULL,
    note        text
);
ALTER SEQUENCE billing.invoice_no_seq OWNED BY billing.invoices.invoice_no;
CREATE INDEX invoices_product_idx ON billing.invoices (product_id, issued_at);

INSERT INTO inventory.warehouses VALUES (1, 'North', 'Oslo'), (2, 'South', 'Sevilla'), (3, 'East "Main"', 'Łódź');
INSERT INTO inventory.products
SELECT g, 'SKU-' || lpad(g::text, 5, '0'), 'Product ' || g, (g % 50) * 2.5
FROM generate_series(1, 500) g;
INSERT INTO inventory.stock SELECT w, p, (w * p) % 37 FROM generate_series(1, 3) w, generate_series(1, 500) p;
INSERT INTO billing.invoices (product_id, quantity, issued_at, note)
SELECT 1 + g % 500, 1 + g % 9, timestamptz '2024-01-01 00:00:00+00' + g * interval '2 hours',
       CASE WHEN g % 4 = 0 THEN NULL ELSE E'invoice\t' || g END
FROM generate_series(1, 2000) g;

CREATE VIEW billing.revenue_by_product AS
    SELECT p.id, p.name, sum(i.quantity * p.price) AS revenue
    FROM billing.invoices i JOIN inventory.products p ON p.id = i.product_id
    GROUP BY p.id, p.name;

ALTER TABLE billing.invoices OWNER TO pgs_owner;
ALTER VIEW billing.revenue_by_product OWNER TO pgs_owner;
GRANT USAGE ON SCHEMA inventory, billing TO pgs_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA inventory TO pgs_reader;
GRANT SELECT ON billing.revenue_by_product TO pgs_reader;
COMMENT ON TABLE inventory.stock IS 'stock per warehouse and product';

ANALYZE;
