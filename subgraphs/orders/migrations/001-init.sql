CREATE TABLE orders (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- Newest-first order and keyset pagination: exact and unique, unlike timestamps.
  seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  -- A user of the users service; not a foreign key, as that database is not ours.
  user_id uuid NOT NULL,
  status text NOT NULL CHECK (status IN ('PENDING', 'PAID', 'SHIPPED', 'DELIVERED', 'CANCELLED')),
  total_cents integer NOT NULL CHECK (total_cents >= 0),
  currency char(3) NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX orders_user_id_seq ON orders (user_id, seq);
CREATE INDEX orders_status_seq ON orders (status, seq);

CREATE TABLE order_items (
  order_id uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  position integer NOT NULL,
  -- A product of the products service, by id only.
  product_id uuid NOT NULL,
  quantity integer NOT NULL CHECK (quantity BETWEEN 1 AND 1000),
  unit_price_cents integer NOT NULL CHECK (unit_price_cents >= 0),
  currency char(3) NOT NULL,
  PRIMARY KEY (order_id, position)
);
