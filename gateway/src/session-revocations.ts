import { ServiceUnavailableError, UnauthenticatedError, type Logger, type TokenSession, type VerifyToken } from '@shop/service-kit';
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
  /** The feed: the users service's `/sessions/revocations`, or SESSION_REVOCATIONS_URL (its query string kept). */
  url: string;
  intervalMs: number;
  /** The most ended sessions remembered (SESSION_REVOCATIONS_MAX); past it the oldest learned go. */
  maxEntries: number;
  client: SubgraphClient;
  logger: Logger;
}

/**
 * What the gateway knows of ended sessions and changed roles, learned by polling the users
 * service's feed from the last revision it read. Every access token is a JWT that stays valid by
 * its signature until it expires; this is how the gateway refuses one whose session ended within
 * one poll interval. While users cannot be reached, everything learned so far keeps being
 * refused and polling resumes from the same revision, so nothing written meanwhile is missed
 * (ending a session goes through users anyway). A gateway that has never read the feed (just
 * started, users down) knows of no ended session at all, so until its first read succeeds it
 * takes no token that carries a session (`hasRead`), and says so on /ready (`problems`).
 *
 * At most `maxEntries` are remembered: past it the oldest learned (about the first to expire) are
 * forgotten, with a warning; a token of a forgotten session is refused by the subgraphs at its
 * expiry only, as every token is without the gateway's check.
 */
export function pollSessionRevocations({ url, intervalMs, maxEntries, client, logger }: SessionRevocationsOptions) {
  // Insertion order is the order learned: the first key is the oldest.
  const known = new Map<string, Revocation>();
  let revision = '0';
  let failing = false;
  let hasRead = false;
  let lastFailure: string | undefined;
  let forgotten = 0;
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
    while (known.size > maxEntries) {
      known.delete(known.keys().next().value!);
      forgotten += 1;
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
        const pageUrl = new URL(url);
        pageUrl.searchParams.set('after', revision);
        const reply = await client.get(pageUrl.href, Math.min(intervalMs, 5_000));
        if (reply.status !== 200) throw new Error(`answered HTTP ${reply.status}`);
        const page = JSON.parse(reply.body) as FeedPage;
        learn(page);
        if (page.revocations.length < 1000) break;
      }
      forgetExpired();
      if (failing) logger.info({ url }, 'session revocations readable again');
      failing = false;
      hasRead = true;
      if (forgotten > 0) {
        logger.warn({ forgotten, kept: maxEntries }, 'more ended sessions than SESSION_REVOCATIONS_MAX: the oldest forgotten (their tokens end at expiry)');
        forgotten = 0;
      }
    } catch (error) {
      lastFailure = error instanceof Error ? error.message : String(error);
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
    /** Polls at once, then every interval; resolves once the first poll has succeeded or failed. */
    start(): Promise<void> {
      const first = poll();
      void first.finally(schedule);
      return first;
    },
    stop(): void {
      stopped = true;
      clearTimeout(timer);
    },
    /** Whether the feed has been read at least once: until then no session can be judged. */
    hasRead(): boolean {
      return hasRead;
    },
    /** What keeps the gateway from judging sessions, for /ready; empty once the feed has been read. */
    problems(): string[] {
      return hasRead ? [] : [`session revocations: not read yet (${lastFailure ?? 'first read in progress'}); tokens with a session are refused meanwhile`];
    },
    /** How many ended sessions are remembered. */
    get size(): number {
      return known.size;
    },
    /** Whether a token of this session, at this generation, is refused (as far as the feed has been read). */
    refuses(session: TokenSession | undefined): boolean {
      if (!session) return false;
      const revocation = known.get(session.id);
      return revocation !== undefined && revocation.expiresAt > Date.now() && (revocation.ended || session.generation < revocation.minGeneration);
    },
  };
}

export type SessionRevocations = ReturnType<typeof pollSessionRevocations>;

/**
 * `verify`, refusing a token whose session has ended or whose role has changed since
 * (UNAUTHENTICATED: the client must refresh or sign in again). Before the feed has first been read
 * a token with a session cannot be judged: SERVICE_UNAVAILABLE (503), since the fault is the
 * gateway's and passes on its own; UNAUTHENTICATED would have clients throw away a good session.
 */
export function refusingRevokedSessions(verify: VerifyToken, revocations: SessionRevocations | undefined): VerifyToken {
  // None polled (SESSION_REVOCATIONS_URL unset beside JWKS_URL or JWKS): tokens count until they expire.
  if (!revocations) return verify;
  return async (token) => {
    const viewer = await verify(token);
    if (viewer.session && !revocations.hasRead()) {
      throw new ServiceUnavailableError('The gateway cannot check sessions yet (it has not read which ones ended); try again shortly', 503);
    }
    if (revocations.refuses(viewer.session)) throw new UnauthenticatedError('This session has ended or changed; refresh it or sign in again', 401);
    return viewer;
  };
}
