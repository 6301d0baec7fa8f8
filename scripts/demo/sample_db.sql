-- The demo's sample database: a small shop with several schemas and the
-- usual column types, about 150 MB. Loaded by scripts/demo into the
-- throwaway source server.
CREATE EXTENSION IF NOT EXISTS citext;
CREATE SCHEMA sales;
CREATE SCHEMA inventory;
CREATE SCHEMA audit;

CREATE TYPE sales.order_state AS ENUM ('new', 'paid', 'shipped', 'returned');
CREATE DOMAIN sales.positive_money AS numeric(12, 2) CHECK (VALUE >= 0);

CREATE TABLE sales.customers (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email citext NOT NULL UNIQUE,
    name text NOT NULL,
    country char(2),
    signed_up timestamptz NOT NULL DEFAULT now(),
    preferences jsonb
);
CREATE TABLE inventory.products (
    id serial PRIMARY KEY,
    sku text NOT NULL UNIQUE,
    title text NOT NULL,
    price sales.positive_money NOT NULL,
    tags text[],
    dimensions_cm numeric[],
    photo bytea
);
CREATE TABLE sales.orders (
    id bigserial PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES sales.customers (id),
    state sales.order_state NOT NULL DEFAULT 'new',
    placed_at timestamptz NOT NULL,
    shipping_window tstzrange,
    total sales.positive_money
);
CREATE TABLE sales.order_items (
    order_id bigint NOT NULL REFERENCES sales.orders (id) ON DELETE CASCADE,
    line int NOT NULL,
    product_id int NOT NULL REFERENCES inventory.products (id),
    quantity int NOT NULL CHECK (quantity > 0),
    unit_price numeric(12, 2) NOT NULL,
    PRIMARY KEY (order_id, line)
);
CREATE TABLE audit.events (
    at timestamptz NOT NULL,
    actor inet,
    kind text NOT NULL,
    payload jsonb
);

INSERT INTO sales.customers (email, name, country, signed_up, preferences)
SELECT 'user' || g || '@example.com', 'Customer ' || g, (ARRAY['DE', 'FR', 'US', 'JP', 'BR'])[1 + g % 5],
       timestamptz '2020-01-01' + g * interval '7 minutes',
       jsonb_build_object('newsletter', g % 3 = 0, 'lang', (ARRAY['de', 'fr', 'en', 'ja', 'pt'])[1 + g % 5])
  FROM generate_series(1, 100000) g;
INSERT INTO inventory.products (sku, title, price, tags, dimensions_cm, photo)
SELECT 'SKU-' || lpad(g::text, 6, '0'), 'Product «' || g || '»', (g % 500) + 0.99,
       ARRAY['tag' || g % 7, 'tag' || g % 11], ARRAY[g % 50, g % 30, g % 20]::numeric[],
       decode(repeat(md5(g::text), 1 + g % 64), 'hex')
  FROM generate_series(1, 20000) g;
INSERT INTO sales.orders (customer_id, state, placed_at, shipping_window, total)
SELECT 1 + g % 100000, (ARRAY['new', 'paid', 'shipped', 'returned'])[1 + g % 4]::sales.order_state,
       timestamptz '2023-01-01' + g * interval '1 minute',
       tstzrange(timestamptz '2023-01-02' + g * interval '1 minute', timestamptz '2023-01-05' + g * interval '1 minute'),
       (g % 1000) + 0.5
  FROM generate_series(1, 600000) g;
INSERT INTO sales.order_items (order_id, line, product_id, quantity, unit_price)
SELECT o, l, 1 + (o * 7 + l) % 20000, 1 + l, ((o + l) % 500) + 0.99
  FROM generate_series(1, 600000) o, generate_series(1, 2) l;
INSERT INTO audit.events (at, actor, kind, payload)
SELECT timestamptz '2024-01-01' + g * interval '1 second', ('10.0.' || g % 256 || '.' || g % 200)::inet,
       (ARRAY['login', 'logout', 'purchase'])[1 + g % 3],
       jsonb_build_object('session', md5(g::text), 'ok', g % 10 <> 0)
  FROM generate_series(1, 300000) g;

CREATE INDEX orders_customer_idx ON sales.orders (customer_id);
CREATE INDEX orders_placed_brin ON sales.orders USING brin (placed_at);
CREATE INDEX events_payload_gin ON audit.events USING gin (payload);
CREATE INDEX products_tags_gin ON inventory.products USING gin (tags);
CREATE VIEW sales.revenue_by_country AS
    SELECT c.country, sum(o.total) AS revenue FROM sales.orders o JOIN sales.customers c ON c.id = o.customer_id GROUP BY c.country;
CREATE MATERIALIZED VIEW sales.daily_orders AS
    SELECT date_trunc('day', placed_at) AS day, count(*) AS orders FROM sales.orders GROUP BY 1;
COMMENT ON TABLE sales.orders IS 'one row per order';
SELECT lo_from_bytea(0, convert_to('a large object in the demo database', 'UTF8'));
ANALYZE;
