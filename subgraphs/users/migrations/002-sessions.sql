-- A session is one sign-in on one device, ended by signing out, by a password change or by
-- erasure. `generation` moves on when the user's role changes: access tokens of an older
-- generation are refused, and the next refresh issues the current role.
CREATE TABLE sessions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  generation integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  ended_at timestamptz
);
CREATE INDEX sessions_user_id ON sessions (user_id);

-- Refresh tokens, stored only as their SHA-256. Each is used once: refreshing retires it and
-- issues the next; a retired one presented again ends its session (it was copied).
CREATE TABLE refresh_tokens (
  token_hash bytea PRIMARY KEY,
  session_id uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  expires_at timestamptz NOT NULL,
  retired_at timestamptz
);
CREATE INDEX refresh_tokens_session_id ON refresh_tokens (session_id);

-- What the gateway refuses before access tokens expire: every token of an ended session, or
-- those of a generation below `min_generation`. No foreign key: a record outlives the session
-- and its user (erasure), until the last token it refuses has expired (`expires_at`). It holds
-- a random session id and nothing about the user.
CREATE TABLE session_revocations (
  revision bigserial PRIMARY KEY,
  session_id uuid NOT NULL,
  ended boolean NOT NULL,
  min_generation integer NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX session_revocations_expires_at ON session_revocations (expires_at);

-- For the purge of what has expired, a batch at each sign-in.
CREATE INDEX refresh_tokens_expires_at ON refresh_tokens (expires_at);
CREATE INDEX sessions_ended_at ON sessions (ended_at) WHERE ended_at IS NOT NULL;
