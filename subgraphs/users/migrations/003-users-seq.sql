-- The admin list of users pages by keyset on `seq`, as products and orders do: an exact, unique,
-- increasing order, which created_at is not (two accounts may share an instant). Existing
-- accounts are numbered in the order they were created, so the list reads oldest first.
ALTER TABLE users ADD COLUMN seq bigint;

UPDATE users SET seq = numbered.seq
FROM (SELECT id, row_number() OVER (ORDER BY created_at, id) AS seq FROM users) numbered
WHERE users.id = numbered.id;

ALTER TABLE users ALTER COLUMN seq SET NOT NULL;
ALTER TABLE users ALTER COLUMN seq ADD GENERATED ALWAYS AS IDENTITY;
-- New accounts continue after the backfilled ones.
SELECT setval(pg_get_serial_sequence('users', 'seq'), COALESCE(max(seq), 0) + 1, false) FROM users;

-- The unique constraint's index is also what the keyset pages read through.
ALTER TABLE users ADD CONSTRAINT users_seq_key UNIQUE (seq);
