import { createHash, randomBytes } from 'node:crypto';
import { UnauthenticatedError, type Database, type Queryable, type Role } from '@shop/service-kit';
import type { TokenIssuer } from './tokens.js';
import type { UserRow } from './users-repository.js';

/** What a client gets on signing in or refreshing: the AuthPayload's token fields. */
export interface AuthTokens {
  token: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
  refreshTokenExpiresAt: Date;
}

/** One entry of the feed the gateway reads: which access tokens to refuse, until when. */
export interface SessionRevocation {
  revision: string;
  sessionId: string;
  /** Every token of the session is refused. */
  ended: boolean;
  /** Otherwise, tokens of a generation below this one. */
  minGeneration: number;
  /** When the last access token it refuses has expired: the gateway may forget it then. */
  expiresAt: Date;
}

export interface SessionsOptions {
  db: Database;
  tokens: TokenIssuer;
  refreshTtlSeconds: number;
}

/** A refresh token: 32 random bytes, base64url; only its SHA-256 is stored. */
const newRefreshToken = () => randomBytes(32).toString('base64url');
const hashOf = (refreshToken: string) => createHash('sha256').update(refreshToken).digest();
const REFRESH_TOKEN = /^[A-Za-z0-9_-]{43}$/;
const REFUSED = 'The refresh token is not valid; sign in again';
/**
 * Kept this much longer than an access token lives: a token issued just before its session ended
 * (by this host's clock, which may run ahead of the database's) must still be refused.
 */
const CLOCK_MARGIN_SECONDS = 60;
/** Expired rows deleted per sign-in, so the tables stay the size of what is live without a job of their own. */
const PURGE_BATCH = 100;
/** The advisory lock that orders revocation writes (any constant no other lock of users uses). */
const REVOCATION_WRITES_LOCK = 7_301_001;
/** A page of the revocation feed. */
const FEED_PAGE = 1000;

/**
 * Sessions: an access token (a JWT the gateway and subgraphs verify by themselves, short-lived)
 * plus a refresh token (opaque, single-use, rotated on every refresh, stored as a hash). A
 * retired refresh token presented again ends its whole session: someone holds a copy (reuse
 * detection, OAuth 2.1 / RFC 9700). What ends a session, or changes a role, is written to
 * `session_revocations`, which the gateway polls, so it refuses access tokens still valid by
 * their signature within its poll interval.
 */
export function createSessions({ db, tokens, refreshTtlSeconds }: SessionsOptions) {
  const revoke = async (q: Queryable, sessions: { id: string; ended: boolean; min_generation: number }[]) => {
    if (sessions.length === 0) return;
    // Under a transaction-long lock, so revisions commit in the order they are numbered: the
    // gateway reads on from the last revision it saw, and a smaller one committing after a larger
    // (two writers at once, on PostgreSQL) would be skipped for good.
    await q.query(
      `WITH serialized AS (SELECT pg_advisory_xact_lock(${REVOCATION_WRITES_LOCK}))
       INSERT INTO session_revocations (session_id, ended, min_generation, expires_at)
       SELECT id, ended, min_generation, clock_timestamp() + make_interval(secs => $4 + ${CLOCK_MARGIN_SECONDS})
       FROM unnest($1::uuid[], $2::boolean[], $3::int[]) AS s(id, ended, min_generation), serialized`,
      [sessions.map((s) => s.id), sessions.map((s) => s.ended), sessions.map((s) => s.min_generation), tokens.ttlSeconds],
    );
    // Records past their last token's expiry refuse nothing: dropped as new ones come.
    await q.query('DELETE FROM session_revocations WHERE expires_at < now()');
  };

  /** A new refresh token for the session, and an access token of its generation. */
  const issue = async (q: Queryable, user: { id: string; role: Role }, session: { id: string; generation: number }): Promise<AuthTokens> => {
    const refreshToken = newRefreshToken();
    const refreshTokenExpiresAt = new Date(Date.now() + refreshTtlSeconds * 1000);
    await q.query('INSERT INTO refresh_tokens (token_hash, session_id, expires_at) VALUES ($1, $2, $3)', [hashOf(refreshToken), session.id, refreshTokenExpiresAt]);
    const access = await tokens.issue(user, session);
    return { token: access.token, accessTokenExpiresAt: access.expiresAt, refreshToken, refreshTokenExpiresAt };
  };

  /**
   * A batch of what no longer matters: refresh tokens past their expiry (a retired one is kept
   * until then, for reuse detection), and sessions ended longer ago than an access token lives or
   * with no refresh token left that could renew them.
   */
  const purgeExpired = async (q: Queryable) => {
    const gone = await q.query<{ session_id: string }>(
      `DELETE FROM refresh_tokens WHERE token_hash IN (SELECT token_hash FROM refresh_tokens WHERE expires_at < now() LIMIT ${PURGE_BATCH})
       RETURNING session_id`,
    );
    // A session whose last refresh token expired can never be renewed; its last access token expired long before.
    if (gone.length > 0) {
      await q.query('DELETE FROM sessions s WHERE s.id = ANY($1::uuid[]) AND NOT EXISTS (SELECT 1 FROM refresh_tokens r WHERE r.session_id = s.id)', [
        [...new Set(gone.map((row) => row.session_id))],
      ]);
    }
    await q.query(
      `DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE ended_at < now() - make_interval(secs => $1) LIMIT ${PURGE_BATCH})`,
      [tokens.ttlSeconds + CLOCK_MARGIN_SECONDS],
    );
  };

  const endSessions = async (q: Queryable, where: string, params: unknown[]) => {
    const ended = await q.query<{ id: string; generation: number }>(
      `UPDATE sessions SET ended_at = now() WHERE ended_at IS NULL AND ${where} RETURNING id, generation`,
      params,
    );
    await revoke(q, ended.map((session) => ({ id: session.id, ended: true, min_generation: session.generation })));
  };

  return {
    /** Starts a session for a user who just proved who they are. */
    async start(user: { id: string; role: Role }, q: Queryable = db): Promise<AuthTokens> {
      await purgeExpired(q);
      const [session] = await q.query<{ id: string; generation: number }>('INSERT INTO sessions (user_id) VALUES ($1) RETURNING id, generation', [user.id]);
      return issue(q, user, session!);
    },

    /**
     * The next pair for the session `refreshToken` belongs to, retiring it; the user as they are
     * now (their current role). UNAUTHENTICATED for anything else, and a retired token ends its
     * session.
     */
    async refresh(refreshToken: string): Promise<{ tokens: AuthTokens; user: UserRow }> {
      if (!REFRESH_TOKEN.test(refreshToken)) throw new UnauthenticatedError(REFUSED);
      const outcome = await db.transaction(async (tx) => {
        // Locked, so two refreshes racing with one token cannot both succeed.
        // A disabled account's sessions were ended as it was disabled; its own flag is checked too.
        const [found] = await tx.query<{ session_id: string; retired: boolean; expired: boolean; ended: boolean; disabled: boolean }>(
          `SELECT r.session_id, r.retired_at IS NOT NULL AS retired, r.expires_at <= now() AS expired, s.ended_at IS NOT NULL AS ended,
             u.disabled_at IS NOT NULL AS disabled
           FROM refresh_tokens r JOIN sessions s ON s.id = r.session_id JOIN users u ON u.id = s.user_id
           WHERE r.token_hash = $1 FOR UPDATE OF r, s`,
          [hashOf(refreshToken)],
        );
        if (!found || found.ended || found.expired || found.disabled) return null;
        if (found.retired) {
          await endSessions(tx, 'id = $1', [found.session_id]);
          return 'reused' as const;
        }
        await tx.query('UPDATE refresh_tokens SET retired_at = now() WHERE token_hash = $1', [hashOf(refreshToken)]);
        const [row] = await tx.query<UserRow & { generation: number }>(
          `SELECT u.id, u.email, u.name, u.role, u.created_at, s.generation
           FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = $1`,
          [found.session_id],
        );
        const { generation, ...user } = row!;
        return { tokens: await issue(tx, user, { id: found.session_id, generation }), user };
      });
      // Thrown after the transaction, so that ending a reused token's session is committed.
      if (outcome === null || outcome === 'reused') throw new UnauthenticatedError(REFUSED);
      return outcome;
    },

    /** Ends one session (signing out of one device). */
    async end(sessionId: string, q: Queryable = db): Promise<void> {
      await endSessions(q, 'id = $1', [sessionId]);
    },

    /** Ends every session of a user (signing out everywhere, a new password, erasure). */
    async endAllOf(userId: string, q: Queryable = db): Promise<void> {
      await endSessions(q, 'user_id = $1', [userId]);
    },

    /** The user's role changed: tokens issued before are refused, and the next refresh carries the new role. */
    async refreshRoleOf(userId: string, q: Queryable = db): Promise<void> {
      const moved = await q.query<{ id: string; generation: number }>(
        'UPDATE sessions SET generation = generation + 1 WHERE user_id = $1 AND ended_at IS NULL RETURNING id, generation',
        [userId],
      );
      await revoke(q, moved.map((session) => ({ id: session.id, ended: false, min_generation: session.generation })));
    },

    /** The revocations written after `revision` that still refuse a token, oldest first; a page at a time. */
    async revocationsAfter(revision: string): Promise<SessionRevocation[]> {
      const rows = await db.query<{ revision: string; session_id: string; ended: boolean; min_generation: number; expires_at: Date }>(
        `SELECT revision::text, session_id, ended, min_generation, expires_at FROM session_revocations
         WHERE revision > $1::bigint AND expires_at > now() ORDER BY revision LIMIT ${FEED_PAGE}`,
        [revision],
      );
      return rows.map((row) => ({ revision: row.revision, sessionId: row.session_id, ended: row.ended, minGeneration: row.min_generation, expiresAt: row.expires_at }));
    },
  };
}

export type Sessions = ReturnType<typeof createSessions>;
