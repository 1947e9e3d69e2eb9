import { describe, expect, it } from 'vitest';
import { ServiceUnavailableError, UnauthenticatedError } from '@shop/service-kit';
import { watchSessions, type WatchedSubscription } from '../../src/subscriptions/session-watch.js';
import { testLogger } from '../../../test/support/logger.js';

function watched(authorization: string | undefined) {
  const subscription = { authorization, ended: [] as string[], end: (reason: string) => void subscription.ended.push(reason) };
  return subscription satisfies WatchedSubscription;
}

describe('watchSessions', () => {
  it('ends the subscriptions whose token is now refused (SESSION_ENDED), verifying each distinct token once', async () => {
    const verified: string[] = [];
    const ended = watched('Bearer ended');
    const sameToken = watched('Bearer ended');
    const valid = watched('Bearer valid');
    const anonymous = watched(undefined);
    const unjudged = watched('Bearer unjudged');
    const watch = watchSessions({
      intervalMs: 60_000,
      subscriptions: () => [ended, sameToken, valid, anonymous, unjudged],
      verify: async (authorization) => {
        verified.push(authorization);
        if (authorization === 'Bearer ended') throw new UnauthenticatedError('This session has ended', 401);
        // The gateway failing to judge a token is no reason to end a stream.
        if (authorization === 'Bearer unjudged') throw new ServiceUnavailableError();
      },
      logger: testLogger('session-watch'),
    });
    try {
      await watch.check();
    } finally {
      watch.stop();
    }
    expect(verified.sort()).toEqual(['Bearer ended', 'Bearer unjudged', 'Bearer valid']);
    expect([ended.ended, sameToken.ended, valid.ended, anonymous.ended, unjudged.ended]).toEqual([['SESSION_ENDED'], ['SESSION_ENDED'], [], [], []]);
  });
});
