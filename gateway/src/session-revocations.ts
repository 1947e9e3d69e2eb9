import { UnauthenticatedError, type Logger, type TokenSession, type VerifyToken } from '@shop/service-kit';
import type { SubgraphClient } from './subgraph-client.js';

interface Revocation {
  ended: boolean;
  minGeneration: number;
  /** Epoch ms after which no token it refuses is still valid: forgotten then. */
  expiresAt: number;
}

interface FeedPage {
  revocations: { revision: string; sessionId: string; ended: boolean; minGeneration: number; expiresAt: string }[];
}

export interface SessionRevocationsOptions {
  /** The users service's feed (`/sessions/revocations`). */
  url: string;
  intervalMs: number;
  client: SubgraphClient;
  logger: Logger;
}

/**
 * What the gateway knows of ended sessions and changed roles, learned by polling the users
 * service's feed from the last revision it read. Every access token is a JWT that stays valid by
 * its signature until it expires; this is how the gateway refuses one whose session ended within
 * one poll interval. While users cannot be reached, everything learned so far keeps being
 * refused and polling resumes from the same revision, so nothing written meanwhile is missed
 * (ending a session goes through users anyway). A gateway that starts while users is down knows
 * nothing until it answers; the subgraphs accept such a token until it expires either way.
 */
export function pollSessionRevocations({ url, intervalMs, client, logger }: SessionRevocationsOptions) {
  const known = new Map<string, Revocation>();
  let revision = '0';
  let failing = false;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const learn = (page: FeedPage) => {
    for (const entry of page.revocations) {
      const before = known.get(entry.sessionId);
      known.set(entry.sessionId, {
        ended: entry.ended || (before?.ended ?? false),
        minGeneration: Math.max(entry.minGeneration, before?.minGeneration ?? 0),
        expiresAt: Math.max(Date.parse(entry.expiresAt), before?.expiresAt ?? 0),
      });
      revision = entry.revision;
    }
  };
  const forgetExpired = () => {
    const now = Date.now();
    for (const [sessionId, revocation] of known) if (revocation.expiresAt <= now) known.delete(sessionId);
  };

  const poll = async (): Promise<void> => {
    try {
      // Pages until the feed is read to its end (a full page may have more behind it).
      for (;;) {
        const reply = await client.get(`${url}?after=${revision}`, Math.min(intervalMs, 5_000));
        if (reply.status !== 200) throw new Error(`answered HTTP ${reply.status}`);
        const page = JSON.parse(reply.body) as FeedPage;
        learn(page);
        if (page.revocations.length < 1000) break;
      }
      forgetExpired();
      if (failing) logger.info({ url }, 'session revocations readable again');
      failing = false;
    } catch (error) {
      // Once when it starts failing, not at every poll.
      if (!failing) logger.warn({ err: error, url, known: known.size }, 'cannot read session revocations: refusing those known, retrying');
      failing = true;
    }
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => void poll().finally(schedule), intervalMs);
    timer.unref();
  };

  return {
    /** Polls at once, then every interval. */
    start(): void {
      void poll().finally(schedule);
    },
    stop(): void {
      stopped = true;
      clearTimeout(timer);
    },
    /** Whether a token of this session, at this generation, is refused. */
    refuses(session: TokenSession | undefined): boolean {
      if (!session) return false;
      const revocation = known.get(session.id);
      return revocation !== undefined && revocation.expiresAt > Date.now() && (revocation.ended || session.generation < revocation.minGeneration);
    },
  };
}

export type SessionRevocations = ReturnType<typeof pollSessionRevocations>;

/** `verify`, refusing a token whose session has ended or whose role has changed since. */
export function refusingRevokedSessions(verify: VerifyToken, revocations: SessionRevocations): VerifyToken {
  return async (token) => {
    const viewer = await verify(token);
    if (revocations.refuses(viewer.session)) throw new UnauthenticatedError('This session has ended or changed; refresh it or sign in again', 401);
    return viewer;
  };
}
