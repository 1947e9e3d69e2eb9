-- Placing an order writes its intent first (PLACING, items without prices), then reserves stock
-- in products, then confirms it (PENDING, with the prices products returned). FAILED marks an
-- attempt that reserved nothing. Neither state is ever shown to clients.
ALTER TABLE orders DROP CONSTRAINT orders_status_check;
ALTER TABLE orders ADD CONSTRAINT orders_status_check
  CHECK (status IN ('PLACING', 'PENDING', 'PAID', 'SHIPPED', 'DELIVERED', 'CANCELLED', 'FAILED'));
ALTER TABLE orders ALTER COLUMN total_cents DROP NOT NULL;
ALTER TABLE orders ALTER COLUMN currency DROP NOT NULL;
ALTER TABLE orders ADD CONSTRAINT orders_priced_check
  CHECK (status IN ('PLACING', 'FAILED') OR (total_cents IS NOT NULL AND currency IS NOT NULL));

-- One order per click: a key is unique per user among the attempts that did not fail.
ALTER TABLE orders ADD COLUMN idempotency_key text;
CREATE UNIQUE INDEX orders_user_id_idempotency_key ON orders (user_id, idempotency_key) WHERE status <> 'FAILED';

-- A cancelled order whose stock products has not yet confirmed giving back.
ALTER TABLE orders ADD COLUMN stock_release_pending boolean NOT NULL DEFAULT false;

CREATE INDEX orders_placing_created_at ON orders (created_at) WHERE status = 'PLACING';
CREATE INDEX orders_stock_release_pending ON orders (id) WHERE stock_release_pending;

ALTER TABLE order_items ALTER COLUMN unit_price_cents DROP NOT NULL;
ALTER TABLE order_items ALTER COLUMN currency DROP NOT NULL;

CREATE TABLE order_status_history (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  order_id uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  status text NOT NULL,
  changed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX order_status_history_order_id ON order_status_history (order_id, seq);

INSERT INTO order_status_history (order_id, status, changed_at)
SELECT id, status, updated_at FROM orders ORDER BY seq;
