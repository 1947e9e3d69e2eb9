-- Merchants' webhook endpoints and the deliveries of order events to them. A delivery is one event
-- for one endpoint, attempted until it answers 2xx or its retry schedule runs out (FAILED: the dead
-- letter, which an admin may redeliver).
CREATE TABLE webhooks (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- Orders pages of webhooks (cursors), newest last.
  seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  url text NOT NULL,
  events text[] NOT NULL CHECK (cardinality(events) > 0),
  description text NOT NULL DEFAULT '',
  -- The signing secret (whsec_...), and the one it replaced, still signing until previous_secret_until.
  secret text NOT NULL,
  previous_secret text,
  previous_secret_until timestamptz,
  enabled boolean NOT NULL DEFAULT true,
  -- Why it was disabled when it was not an admin (the endpoint answered 410 Gone, say).
  disabled_reason text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE webhook_deliveries (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  webhook_id uuid NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
  event_id uuid NOT NULL REFERENCES order_events (id) ON DELETE CASCADE,
  status text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'SUCCEEDED', 'FAILED')),
  -- Every attempt ever made, and those of the current round (a redelivery starts a new round of the schedule).
  attempts integer NOT NULL DEFAULT 0,
  round_attempts integer NOT NULL DEFAULT 0,
  -- While PENDING: when it is due. An attempt in flight pushes it past the attempt's timeout, so a
  -- replica that dies mid-attempt leaves the delivery due again instead of lost.
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_attempt_at timestamptz,
  last_response_code integer,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  -- An event reaches an endpoint through one delivery, however often it is queued.
  UNIQUE (webhook_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'PENDING';
CREATE INDEX webhook_deliveries_of_webhook ON webhook_deliveries (webhook_id, seq);

-- When the event was handed to the webhooks (its deliveries written); events from before webhooks
-- existed go to no endpoint.
ALTER TABLE order_events ADD COLUMN webhooks_queued_at timestamptz;
UPDATE order_events SET webhooks_queued_at = now();
CREATE INDEX order_events_webhooks_unqueued ON order_events (seq) WHERE webhooks_queued_at IS NULL;
