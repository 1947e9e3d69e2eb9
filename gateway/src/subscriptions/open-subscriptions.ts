import type { FederatedSupergraph } from '../reloadable-gateway.js';
import type { FederatedSubscription } from './federated-subscription.js';
import type { StreamEndReason } from './stream-ends.js';

/**
 * The subscriptions open on this replica, with the supergraph each runs on: when that supergraph
 * is served no more, each of its subscriptions ends (SUPERGRAPH_RELOADED, or SHUTTING_DOWN when
 * the gateway stops), so its client subscribes again on the one served now.
 */
export function openSubscriptionRegistry() {
  const open = new Map<FederatedSubscription, FederatedSupergraph>();
  // One listener per supergraph, not one per subscription on its signal.
  const watched = new WeakSet<FederatedSupergraph>();
  const endOn = (federation: FederatedSupergraph) => {
    const reason: StreamEndReason = federation.retired.reason === 'stopped' ? 'SHUTTING_DOWN' : 'SUPERGRAPH_RELOADED';
    for (const [subscription, runsOn] of open) if (runsOn === federation) subscription.end(reason);
  };
  return {
    add(subscription: FederatedSubscription, federation: FederatedSupergraph): void {
      open.set(subscription, federation);
      if (watched.has(federation)) return;
      watched.add(federation);
      federation.retired.addEventListener('abort', () => endOn(federation), { once: true });
    },
    delete(subscription: FederatedSubscription): void {
      open.delete(subscription);
    },
    /** Ends every one (the gateway drains). */
    endAll(reason: StreamEndReason): void {
      for (const subscription of open.keys()) subscription.end(reason);
    },
    subscriptions: (): IterableIterator<FederatedSubscription> => open.keys(),
    get size(): number {
      return open.size;
    },
  };
}

export type OpenSubscriptionRegistry = ReturnType<typeof openSubscriptionRegistry>;
