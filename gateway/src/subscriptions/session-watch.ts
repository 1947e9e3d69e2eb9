import { AppError, type Logger } from '@shop/service-kit';

/** What the watch needs of an open subscription: the token it was opened with, and a way to end it. */
export interface WatchedSubscription {
  readonly authorization: string | undefined;
  end(reason: 'SESSION_ENDED'): void;
}

export interface SessionWatchOptions {
  /** How often every open subscription's token is checked again. */
  intervalMs: number;
  subscriptions: () => Iterable<WatchedSubscription>;
  /** Verifies an Authorization header as a request's is (expiry, signature, ended sessions); rejects when it no longer passes. */
  verify: (authorization: string) => Promise<unknown>;
  logger: Logger;
}

/**
 * A subscription is authorized when it opens, and its token may stop being valid while it stays
 * open: it expires, or its session ends (the gateway learns of that by polling the users
 * service, session-revocations.ts). Every `intervalMs`, each distinct token of an open
 * subscription is verified again as a new request's would be (cheap: service-kit remembers
 * verified tokens until they expire), and each subscription whose token is now refused
 * (UNAUTHENTICATED) ends with SESSION_ENDED. So an ended session's streams close within the
 * revocation poll interval plus this one.
 */
export function watchSessions({ intervalMs, subscriptions, verify, logger }: SessionWatchOptions) {
  let checking = false;
  const check = async () => {
    if (checking) return;
    checking = true;
    try {
      const verdicts = new Map<string, Promise<boolean>>();
      const stillValid = (authorization: string) => {
        let verdict = verdicts.get(authorization);
        if (!verdict) {
          verdict = verify(authorization).then(
            () => true,
            // Only a refusal of the token ends a stream; the gateway failing to judge it does not.
            (error: unknown) => !(error instanceof AppError && error.code === 'UNAUTHENTICATED'),
          );
          verdicts.set(authorization, verdict);
        }
        return verdict;
      };
      await Promise.all(
        [...subscriptions()].map(async (subscription) => {
          const { authorization } = subscription;
          if (authorization && !(await stillValid(authorization))) subscription.end('SESSION_ENDED');
        }),
      );
    } catch (error) {
      logger.error({ err: error }, 'checking open subscriptions\' tokens failed');
    } finally {
      checking = false;
    }
  };
  const timer = setInterval(() => void check(), intervalMs);
  timer.unref();
  return {
    /** Checks at once (tests); the timer checks on its own. */
    check,
    stop: () => clearInterval(timer),
  };
}
