-- Why a status change happened, when the shop itself made it: PAYMENT_WINDOW_EXPIRED for an unpaid
-- order the reconciler cancelled. Null for the changes customers and admins make.
ALTER TABLE order_events ADD COLUMN reason text;

-- The reconciler's sweep for unpaid orders past the payment window: a PENDING order's updated_at
-- is when it became PENDING (nothing else writes it while it stays PENDING).
CREATE INDEX orders_pending_updated_at ON orders (updated_at) WHERE status = 'PENDING';

-- A customer's open orders (being placed, or waiting for payment), counted at every createOrder.
CREATE INDEX orders_open_by_user ON orders (user_id) WHERE status IN ('PLACING', 'PENDING');
