import { CALL_BUCKETS, defineCounter, defineGauge, defineHistogram } from '@shop/service-kit';

/**
 * The subscriptions' metrics, on the gateway's metrics port: how many are open (it returns to 0
 * when every client has gone), how many events went out, how long each took from the subgraph's
 * push to its delivery (the joins of the rest of the plan, and formatting) and from the commit of
 * the change it announces to its delivery (when the subgraph says when: `extensions.committedAt`),
 * and why each subscription ended.
 */
export function subscriptionMetrics() {
  return {
    active: defineGauge({ name: 'subscriptions_active', help: 'Subscriptions open now, over every transport' }),
    events: defineCounter({ name: 'subscription_events_total', help: 'Events delivered to subscribers, by outcome (data: no error in it; error: one or more)', labelNames: ['outcome'] }),
    eventSeconds: defineHistogram({
      name: 'subscription_event_duration_seconds',
      help: "Seconds from a subgraph's event reaching the gateway to its delivery to the subscriber (the rest of the plan and formatting)",
      buckets: CALL_BUCKETS,
    }),
    commitToDeliverySeconds: defineHistogram({
      name: 'subscription_commit_to_delivery_seconds',
      help: "Seconds from the commit of the change an event announces (the subgraph's extensions.committedAt) to the event's delivery to the subscriber",
      buckets: CALL_BUCKETS,
    }),
    ended: defineCounter({ name: 'subscriptions_ended_total', help: 'Subscriptions ended, by reason (complete, client_closed, failed, or a stream-end reason such as SUPERGRAPH_RELOADED)', labelNames: ['reason'] }),
  };
}

export type SubscriptionMetrics = ReturnType<typeof subscriptionMetrics>;
