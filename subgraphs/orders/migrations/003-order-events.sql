-- The transactional outbox: each change of an order's status writes its event here in the same
-- transaction as the change, so there is never one without the other. `seq` orders the events
-- (per order too); `published_at` is for the relay that hands them on (NATS JetStream).
CREATE TABLE order_events (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- Unique and stable: consumers drop an event they have seen by this id.
  id uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
  order_id uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  type text NOT NULL CHECK (type IN ('order.placed', 'order.paid', 'order.shipped', 'order.delivered', 'order.cancelled')),
  schema_version integer NOT NULL,
  occurred_at timestamptz NOT NULL DEFAULT now(),
  -- The order as it is after the change.
  payload jsonb NOT NULL,
  published_at timestamptz
);
CREATE INDEX order_events_order_id ON order_events (order_id, seq);
CREATE INDEX order_events_unpublished ON order_events (seq) WHERE published_at IS NULL;
