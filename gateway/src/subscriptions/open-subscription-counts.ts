import { addressKey } from '../address-key.js';
import type { GatewayContext } from '../context.js';
import { streamEndError } from './stream-ends.js';

export interface SubscriptionBounds {
  /** Open subscriptions this replica holds at most (SUBSCRIPTIONS_MAX). */
  maxOpen: number;
  /** Open subscriptions one client holds at most (SUBSCRIPTIONS_PER_CLIENT): by its token's user, else its address. */
  maxPerClient: number;
}

/** The key a request's subscriptions count against: its token's user, else its address (as the request rate limit keys it). */
export function clientKeyOf({ userId, clientAddress }: Pick<GatewayContext, 'userId' | 'clientAddress'>): string {
  return userId ? `user:${userId}` : addressKeyOf(clientAddress);
}

/** The key of a client by its address alone. */
export const addressKeyOf = (clientAddress: GatewayContext['clientAddress']) => `address:${addressKey(clientAddress)}`;

/** Gives back a place taken; only the first call counts. */
export type ReleasePlace = () => void;

/**
 * How many subscriptions are open, in all and per client, within their bounds. Each open one
 * holds a socket, a subgraph stream and up to a buffer of events, so the bounds are what a replica
 * and a client may cost. A client's key is bounded by how it is made (a user id from a verified
 * token, or addressKey's), and there are never more keys than open subscriptions.
 */
export function openSubscriptionCounts(bounds: SubscriptionBounds) {
  const byClient = new Map<string, number>();
  let open = 0;
  return {
    /** A place for one more subscription of `client`; past a bound, the coded refusal is thrown. */
    take(client: string): ReleasePlace {
      const held = byClient.get(client) ?? 0;
      if (held >= bounds.maxPerClient) throw streamEndError('TOO_MANY_SUBSCRIPTIONS', { limit: bounds.maxPerClient });
      if (open >= bounds.maxOpen) throw streamEndError('SUBSCRIPTIONS_FULL');
      byClient.set(client, held + 1);
      open += 1;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        open -= 1;
        const left = (byClient.get(client) ?? 1) - 1;
        if (left > 0) byClient.set(client, left);
        else byClient.delete(client);
      };
    },
    /** Open subscriptions, in all. */
    get open(): number {
      return open;
    },
  };
}

export type OpenSubscriptionCounts = ReturnType<typeof openSubscriptionCounts>;
