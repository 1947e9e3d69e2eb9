import { createHash } from 'node:crypto';
import { addressKey } from '../address-key.js';
import type { GatewayContext } from '../context.js';
import { percentOf } from './labels.js';

/**
 * Who a request is for, as far as a percentage goes: the signed-in user, else the token's
 * session, else the client's address (an IPv6 client by its /64, as its rate limit counts it).
 * The same shopper gives the same key on every request, so their share never flips.
 */
export function stickyKeyOf(context: Pick<GatewayContext, 'userId' | 'viewer' | 'clientAddress'>): string {
  if (context.userId) return `user:${context.userId}`;
  if (context.viewer?.session) return `session:${context.viewer.session.id}`;
  return `address:${addressKey(context.clientAddress)}`;
}

/**
 * Where a shopper stands in [0, 100): a stable hash of their key. A `percent(x)` label is on for
 * those below x, so raising x (percent(25) to percent(50) in the next supergraph) keeps everyone
 * who had the new subgraph on it: a ramp only ever moves shoppers forward.
 */
export function shareOf(stickyKey: string): number {
  const digest = createHash('sha256').update(stickyKey).digest();
  return (digest.readUInt32BE(0) / 2 ** 32) * 100;
}

/**
 * The supergraph's labels that are on for one request: a `percent(x)` label when the shopper's
 * share is below x, any other when configuration turns it on. Sorted, as the supergraph lists them.
 */
export function activeOverrideLabels(labels: readonly string[], configured: ReadonlySet<string>, stickyKey: string): string[] {
  let share: number | undefined;
  return labels.filter((label) => {
    const percent = percentOf(label);
    if (percent === undefined) return configured.has(label);
    share ??= shareOf(stickyKey);
    return share < percent;
  });
}
