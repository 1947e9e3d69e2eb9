import { defineCounter, type Logger } from '@shop/service-kit';
import { orderEventEnvelope } from './order-event-envelope.js';
import { nextRetryDelayMs } from './webhook-retry.js';
import type { AttemptResult, WebhookSender } from './webhook-sender.js';
import { coalescingRun } from './coalescing-run.js';
import type { AttemptOutcome, ClaimedDelivery, WebhookStore } from './webhook-store.js';

export interface WebhookDispatcherOptions {
  store: WebhookStore;
  sender: WebhookSender;
  /** The delays between attempts (WEBHOOK_RETRY_SCHEDULE), in milliseconds. */
  retrySchedule: readonly number[];
  /** The most one attempt may take (WEBHOOK_TIMEOUT_MS). */
  timeoutMs: number;
  /** Attempts in flight at once on this replica, each to a different endpoint (WEBHOOK_CONCURRENCY). */
  concurrency: number;
  /**
   * How often due deliveries (and, without NATS, the outbox) are looked for (WEBHOOK_POLL_MS): a
   * fallback, as a written event wakes the dispatcher (NOTIFY, or the stream), and a retry due
   * sooner than this is looked for when it is due.
   */
  pollMs: number;
  /**
   * Set when the NATS stream hands the events over (`queue`): events it has not handed over this
   * long after they were published (a message the stream lost) are then queued from the outbox.
   * Unset, every new event is queued from the outbox.
   */
  missedByStreamAfterMs?: number;
  logger: Logger;
}

/** orders_webhook_attempts_total by outcome: succeeded, retry (failed, tried again later), failed (dead letter). */
function dispatcherMetrics() {
  return {
    attempts: defineCounter({ name: 'orders_webhook_attempts_total', help: 'Webhook delivery attempts by this replica, by outcome', labelNames: ['outcome'] as const }),
  };
}

/**
 * Delivers order events to webhooks, at least once: queues each event for the webhooks that want it
 * (from the outbox itself, or as the NATS stream hands it over through `queue`), then attempts due
 * deliveries, several at once but one per endpoint, so a slow endpoint holds one slot only. A failed
 * attempt is tried again after the next delay of the retry schedule; when the schedule is spent the
 * delivery is FAILED (the dead letter), and an endpoint answering 410 Gone is disabled. Replicas share
 * the work through the database: an attempt claims its delivery for longer than it can take.
 */
export function startWebhookDispatcher(options: WebhookDispatcherOptions) {
  const { store, sender, logger } = options;
  const metrics = dispatcherMetrics();
  // Longer than any attempt (each is bounded by the timeout, its DNS lookup included), with a margin.
  const leaseMs = options.timeoutMs + 30_000;
  /** Attempts in flight, by delivery id, with the webhook each is for. */
  const inFlight = new Map<string, { webhookId: string; done: Promise<void> }>();
  let stopped = false;
  /** Cuts attempts in flight short when orders stops: each is then due again at once, for another replica. */
  const stopping = new AbortController();
  let claimsFailing = false;
  let queueFailing = false;

  const outcomeOf = (result: AttemptResult, roundAttempts: number): AttemptOutcome => {
    const { responseCode, error } = result;
    if (error === null && responseCode !== null) return { kind: 'succeeded', responseCode };
    const reason = error ?? 'no answer';
    if (responseCode === 410) return { kind: 'failed', responseCode, error: reason, disableWebhook: 'the endpoint answered 410 Gone' };
    const delayMs = nextRetryDelayMs(options.retrySchedule, roundAttempts, result.retryAfterMs);
    return delayMs === null ? { kind: 'failed', responseCode, error: reason } : { kind: 'retry', responseCode, error: reason, delayMs };
  };

  const attempt = async (delivery: ClaimedDelivery): Promise<void> => {
    const body = JSON.stringify(orderEventEnvelope({ ...delivery, id: delivery.event_id }));
    const result = await sender.send({ url: delivery.url, secrets: delivery.secrets }, { id: delivery.event_id, body }, stopping.signal);
    // Cut short by a stop before any answer came: handed back, for this or another replica.
    const outcome: AttemptOutcome = stopping.signal.aborted && result.responseCode === null ? { kind: 'released' } : outcomeOf(result, delivery.round_attempts);
    if (outcome.kind !== 'released') metrics.attempts.inc({ outcome: outcome.kind });
    const context = { deliveryId: delivery.id, webhookId: delivery.webhook_id, eventId: delivery.event_id, attempt: delivery.round_attempts, responseCode: result.responseCode };
    if (outcome.kind === 'failed') logger.warn({ ...context, error: outcome.error }, 'webhook delivery failed for good: redeliver it once the endpoint is fixed');
    else if (outcome.kind === 'retry') logger.info({ ...context, error: outcome.error, retryInMs: outcome.delayMs }, 'webhook attempt failed; it will be retried');
    // Not recorded (database gone): the claim runs out and the delivery is attempted again.
    await store.recordAttempt(delivery, outcome).catch((error: unknown) => logger.error({ ...context, err: error }, 'cannot record a webhook attempt'));
    // A retry due before the next poll is looked for when it is due; later ones are found by polling.
    if (outcome.kind === 'retry' && outcome.delayMs < options.pollMs) setTimeout(pump.run, outcome.delayMs).unref();
  };

  /** Starts attempts while slots are free and deliveries due. */
  const pump = coalescingRun(async () => {
    try {
      while (!stopped && inFlight.size < options.concurrency) {
        const busy = [...new Set([...inFlight.values()].map((attempt) => attempt.webhookId))];
        const claimed = await store.claimDueDeliveries(options.concurrency - inFlight.size, busy, leaseMs);
        if (claimed.length === 0) break;
        for (const delivery of claimed) {
          const done = attempt(delivery).finally(() => {
            inFlight.delete(delivery.id);
            pump.run();
          });
          inFlight.set(delivery.id, { webhookId: delivery.webhook_id, done });
        }
      }
      if (claimsFailing) logger.info('webhook deliveries are attempted again');
      claimsFailing = false;
    } catch (error) {
      if (!claimsFailing) logger.error({ err: error }, 'cannot look for due webhook deliveries');
      claimsFailing = true;
    }
  });

  /** Hands the outbox's new events (or those the stream missed) to the webhooks, then attempts what is due. */
  const poll = coalescingRun(async () => {
    try {
      while (!stopped && (await store.queueEvents({ publishedMsAgo: options.missedByStreamAfterMs })).events > 0);
      queueFailing = false;
    } catch (error) {
      if (!queueFailing) logger.error({ err: error }, 'cannot queue order events for webhooks');
      queueFailing = true;
    }
    pump.run();
  });
  const timer = setInterval(poll.run, options.pollMs);
  timer.unref();
  poll.run();

  return {
    /** Queues one event the stream announced (it waits for the transaction that may still hold it), then attempts it. */
    async queue(eventId: string): Promise<void> {
      const { deliveries } = await store.queueEvents({ eventId });
      if (deliveries > 0) pump.run();
    },
    /** Looks at once instead of at the next poll: an event was written, say. */
    wake: poll.run,
    /** Stops taking deliveries, cuts the attempts in flight short and records them as due again. */
    async stop(): Promise<void> {
      stopped = true;
      clearInterval(timer);
      stopping.abort();
      await poll.idle();
      await pump.idle();
      await Promise.all([...inFlight.values()].map((attempt) => attempt.done));
      await sender.close();
    },
  };
}

export type WebhookDispatcher = ReturnType<typeof startWebhookDispatcher>;
