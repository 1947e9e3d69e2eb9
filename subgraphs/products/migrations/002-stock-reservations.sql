-- Stock taken by orders, per order: only this service writes stock. A reservation is RESERVED
-- (its quantities are out of `products.stock`) or RELEASED (given back, or refused before it was
-- ever made, so that a late reserve for the same order cannot take stock).
CREATE TABLE stock_reservations (
  order_id uuid PRIMARY KEY,
  status text NOT NULL CHECK (status IN ('RESERVED', 'RELEASED')),
  created_at timestamptz NOT NULL DEFAULT now(),
  released_at timestamptz
);

-- What a reservation took, at the price and currency of that moment (what the order copies).
CREATE TABLE stock_reservation_items (
  order_id uuid NOT NULL REFERENCES stock_reservations (order_id) ON DELETE CASCADE,
  position integer NOT NULL,
  product_id uuid NOT NULL REFERENCES products (id),
  quantity integer NOT NULL CHECK (quantity > 0),
  unit_price_cents integer NOT NULL CHECK (unit_price_cents >= 0),
  currency char(3) NOT NULL,
  PRIMARY KEY (order_id, position)
);

CREATE INDEX stock_reservation_items_product_id ON stock_reservation_items (product_id);
