-- The demo's application while an online migration runs (pgbench -f): a new
-- order with a line, an order moving on, and an audit event.
\set cust random(1, 100000)
\set prod random(1, 20000)
\set old random(1, 50000)
BEGIN;
INSERT INTO sales.orders (customer_id, placed_at, total) VALUES (:cust, now(), 19.99);
INSERT INTO sales.order_items (order_id, line, product_id, quantity, unit_price)
    VALUES (currval('sales.orders_id_seq'), 1, :prod, 1, 19.99);
UPDATE sales.orders SET state = 'paid' WHERE id = :old AND state = 'new';
INSERT INTO audit.events (at, actor, kind, payload)
    VALUES (now(), '127.0.0.1', 'order', jsonb_build_object('customer', :cust));
COMMIT;
