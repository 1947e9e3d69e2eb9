import { describe, expect, it } from 'vitest';
import { GraphQLError } from 'graphql';
import { openSubscriptionCounts } from '../../src/subscriptions/open-subscription-counts.js';

const refusalOf = (take: () => unknown) => {
  try {
    take();
  } catch (error) {
    return error instanceof GraphQLError ? [error.extensions.code, error.extensions.reason] : error;
  }
  return undefined;
};

describe('openSubscriptionCounts', () => {
  it('refuses a client past its own bound with RATE_LIMITED, whatever others hold', () => {
    const counts = openSubscriptionCounts({ maxOpen: 10, maxPerClient: 2 });
    counts.take('user:a');
    counts.take('user:a');
    expect(refusalOf(() => counts.take('user:a'))).toEqual(['RATE_LIMITED', 'TOO_MANY_SUBSCRIPTIONS']);
    counts.take('user:b');
    expect(counts.open).toBe(3);
  });

  it('refuses anyone past the replica bound with SERVICE_UNAVAILABLE', () => {
    const counts = openSubscriptionCounts({ maxOpen: 2, maxPerClient: 5 });
    counts.take('user:a');
    counts.take('address:10.0.0.1');
    expect(refusalOf(() => counts.take('user:c'))).toEqual(['SERVICE_UNAVAILABLE', 'SUBSCRIPTIONS_FULL']);
  });

  it('frees a place once when it is given back, however often that is asked', () => {
    const counts = openSubscriptionCounts({ maxOpen: 10, maxPerClient: 1 });
    const release = counts.take('user:a');
    release();
    release();
    expect(counts.open).toBe(0);
    const again = counts.take('user:a');
    counts.take('user:b');
    again();
    expect(counts.open).toBe(1);
    expect(refusalOf(() => counts.take('user:b'))).toEqual(['RATE_LIMITED', 'TOO_MANY_SUBSCRIPTIONS']);
  });
});
