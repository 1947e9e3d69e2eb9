import { decodeCursor, isUuid, pageOf, type Page, type Queryable } from '@shop/service-kit';
import type { OrderEventType, WebhookDeliveryRow, WebhookDeliveryStatus, WebhookRow } from './webhook-rows.js';
import { ENVELOPE_COLUMNS } from './order-event-envelope.js';

const WEBHOOK_COLUMNS = 'id, seq::text AS seq, url, events, description, enabled, disabled_reason, created_at, updated_at';
const DELIVERY_COLUMNS = `d.id, d.seq::text AS seq, d.webhook_id, d.event_id, e.type AS event_type, e.order_id, d.status, d.attempts,
  d.next_attempt_at, d.last_attempt_at, d.last_response_code, d.last_error, d.created_at, d.updated_at`;
/** Events handed to the webhooks per statement when the outbox is read directly. */
const QUEUE_BATCH = 100;

/** A delivery taken for an attempt, with what the attempt sends. */
export interface ClaimedDelivery {
  id: string;
  webhook_id: string;
  /** Attempts so far, this one included: the claim's token, so a stale replica's outcome changes nothing. */
  attempts: number;
  round_attempts: number;
  url: string;
  /** The secrets to sign with: the current one, and the one it replaced while that still signs. */
  secrets: string[];
  event_id: string;
  type: OrderEventType;
  schema_version: number;
  occurred_at: Date;
  payload: unknown;
  /** Why the shop itself made the change (the envelope's `reason`); null for most events. */
  reason: string | null;
}

/** How an attempt ended, as the delivery records it. */
export type AttemptOutcome =
  | { kind: 'succeeded'; responseCode: number }
  | { kind: 'retry'; responseCode: number | null; error: string; delayMs: number }
  | { kind: 'failed'; responseCode: number | null; error: string; disableWebhook?: string }
  /** Cut short before any answer (orders stopping): due again at once, its attempt not counted against the schedule. */
  | { kind: 'released' };

/** Webhooks and their deliveries: SQL only. */
export function createWebhookStore(db: Queryable) {
  return {
    async createWebhook(fields: { url: string; events: OrderEventType[]; description: string; secret: string }): Promise<WebhookRow> {
      const [row] = await db.query<WebhookRow>(
        `INSERT INTO webhooks (url, events, description, secret) VALUES ($1, $2, $3, $4) RETURNING ${WEBHOOK_COLUMNS}`,
        [fields.url, fields.events, fields.description, fields.secret],
      );
      return row!;
    },

    async listWebhooksByIds(ids: readonly string[]): Promise<WebhookRow[]> {
      const valid = ids.filter(isUuid);
      if (valid.length === 0) return [];
      return db.query<WebhookRow>(`SELECT ${WEBHOOK_COLUMNS} FROM webhooks WHERE id = ANY($1::uuid[])`, [valid], { prepare: true });
    },

    async listWebhooksPage(filter: { limit: number; after?: string | null }): Promise<Page<WebhookRow>> {
      const afterSeq = filter.after ? decodeCursor(filter.after) : null;
      const rows = await db.query<WebhookRow & { total_count: number }>(
        `SELECT total.total_count, page.*
         FROM (SELECT count(*)::int AS total_count FROM webhooks) total LEFT JOIN LATERAL (
           SELECT ${WEBHOOK_COLUMNS} FROM webhooks WHERE $1::bigint IS NULL OR webhooks.seq > $1::bigint ORDER BY webhooks.seq LIMIT $2
         ) page ON true
         ORDER BY page.seq::bigint`,
        [afterSeq, filter.limit],
      );
      return pageOf(rows);
    },

    /** The webhook enabled or disabled; null when there is none. */
    async updateWebhookEnabled(id: string, enabled: boolean): Promise<WebhookRow | null> {
      if (!isUuid(id)) return null;
      const [row] = await db.query<WebhookRow>(
        `UPDATE webhooks SET enabled = $2, disabled_reason = NULL, updated_at = now() WHERE id = $1 RETURNING ${WEBHOOK_COLUMNS}`,
        [id, enabled],
      );
      return row ?? null;
    },

    /** Whether there was such a webhook; its deliveries go with it. */
    async deleteWebhook(id: string): Promise<boolean> {
      if (!isUuid(id)) return false;
      return (await db.query('DELETE FROM webhooks WHERE id = $1 RETURNING id', [id])).length > 0;
    },

    /** A new secret; the current one keeps signing for `keepPreviousForSeconds`. Null when there is no such webhook. */
    async updateWebhookSecret(id: string, secret: string, keepPreviousForSeconds: number): Promise<WebhookRow | null> {
      if (!isUuid(id)) return null;
      const [row] = await db.query<WebhookRow>(
        `UPDATE webhooks SET previous_secret = secret, previous_secret_until = now() + $3 * interval '1 second', secret = $2, updated_at = now()
         WHERE id = $1 RETURNING ${WEBHOOK_COLUMNS}`,
        [id, secret, keepPreviousForSeconds],
      );
      return row ?? null;
    },

    async listDeliveriesByIds(ids: readonly string[]): Promise<WebhookDeliveryRow[]> {
      const valid = ids.filter(isUuid);
      if (valid.length === 0) return [];
      return db.query<WebhookDeliveryRow>(
        `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries d JOIN order_events e ON e.id = d.event_id WHERE d.id = ANY($1::uuid[])`,
        [valid],
      );
    },

    /** A page of deliveries, newest first, of one webhook or all, in one status or any. */
    async listDeliveriesPage(filter: {
      limit: number;
      after?: string | null;
      webhookId?: string | null;
      status?: WebhookDeliveryStatus | null;
    }): Promise<Page<WebhookDeliveryRow>> {
      if (filter.webhookId && !isUuid(filter.webhookId)) return { rows: [], totalCount: 0 };
      const afterSeq = filter.after ? decodeCursor(filter.after) : null;
      const rows = await db.query<WebhookDeliveryRow & { total_count: number }>(
        `WITH matching AS (
           SELECT * FROM webhook_deliveries WHERE ($1::uuid IS NULL OR webhook_id = $1) AND ($2::text IS NULL OR status = $2)
         ), total AS (SELECT count(*)::int AS total_count FROM matching)
         SELECT total.total_count, page.*
         FROM total LEFT JOIN LATERAL (
           SELECT ${DELIVERY_COLUMNS} FROM matching d JOIN order_events e ON e.id = d.event_id
           WHERE $3::bigint IS NULL OR d.seq < $3::bigint ORDER BY d.seq DESC LIMIT $4
         ) page ON true
         ORDER BY page.seq::bigint DESC`,
        [filter.webhookId ?? null, filter.status ?? null, afterSeq, filter.limit],
      );
      return pageOf(rows);
    },

    /**
     * A delivery that is not PENDING due now, with a fresh round of its retry schedule. Null when
     * there is no such delivery; `pending` when it is already on its way.
     */
    async redeliver(id: string): Promise<WebhookDeliveryRow | 'pending' | null> {
      if (!isUuid(id)) return null;
      const restarted = await db.query(
        `UPDATE webhook_deliveries SET status = 'PENDING', round_attempts = 0, next_attempt_at = now(), updated_at = now()
         WHERE id = $1 AND status <> 'PENDING' RETURNING id`,
        [id],
      );
      if (restarted.length === 0) {
        const exists = await db.query('SELECT 1 FROM webhook_deliveries WHERE id = $1', [id]);
        return exists.length > 0 ? 'pending' : null;
      }
      const [delivery] = await this.listDeliveriesByIds([id]);
      return delivery ?? null;
    },

    /**
     * Hands events of the outbox to the webhooks: a delivery for each enabled webhook that wants
     * the event and existed when it happened. With `eventId`, that one event (as NATS announced it;
     * it waits for the transaction that may still hold it); else the oldest events not yet handed
     * on, skipping those another replica holds, and with `publishedMsAgo` only those published at
     * least that long ago (what the stream should have handed over by then). An event is handed on
     * once, however often asked.
     */
    async queueEvents(which: { eventId?: string; publishedMsAgo?: number } = {}): Promise<{ events: number; deliveries: number }> {
      const { eventId } = which;
      const [counts] = await db.query<{ events: number; deliveries: number }>(
        `WITH batch AS (
           SELECT id, type, occurred_at FROM order_events
           WHERE webhooks_queued_at IS NULL AND ($1::uuid IS NULL OR id = $1)
             AND ($2::int IS NULL OR published_at < now() - $2 * interval '1 millisecond')
           ORDER BY seq LIMIT ${QUEUE_BATCH}
           FOR UPDATE ${eventId ? '' : 'SKIP LOCKED'}
         ), queued AS (
           INSERT INTO webhook_deliveries (webhook_id, event_id)
           SELECT w.id, b.id FROM batch b JOIN webhooks w ON w.enabled AND b.type = ANY (w.events) AND w.created_at <= b.occurred_at
           ORDER BY b.occurred_at
           ON CONFLICT (webhook_id, event_id) DO NOTHING
           RETURNING 1
         ), marked AS (
           UPDATE order_events e SET webhooks_queued_at = now() FROM batch b WHERE e.id = b.id RETURNING 1
         )
         SELECT (SELECT count(*) FROM marked)::int AS events, (SELECT count(*) FROM queued)::int AS deliveries`,
        [eventId ?? null, which.publishedMsAgo ?? null],
      );
      return counts!;
    },

    /**
     * Takes up to `limit` due deliveries for attempts, oldest due first, at most one per webhook and
     * none of `busyWebhookIds` (so one slow endpoint holds one slot). Each is pushed `leaseMs` into
     * the future: a replica that dies mid-attempt leaves it due again then, and another replica
     * cannot take it meanwhile.
     */
    async claimDueDeliveries(limit: number, busyWebhookIds: readonly string[], leaseMs: number): Promise<ClaimedDelivery[]> {
      return db.query<ClaimedDelivery>(
        `WITH due AS (
           SELECT id FROM (
             SELECT DISTINCT ON (d.webhook_id) d.id, d.next_attempt_at
             FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id AND w.enabled
             WHERE d.status = 'PENDING' AND d.next_attempt_at <= now() AND NOT (d.webhook_id = ANY ($1::uuid[]))
             ORDER BY d.webhook_id, d.next_attempt_at, d.seq
           ) first_of_each ORDER BY next_attempt_at LIMIT $2
         ), claimed AS (
           UPDATE webhook_deliveries d
           SET attempts = d.attempts + 1, round_attempts = d.round_attempts + 1, last_attempt_at = now(),
               next_attempt_at = now() + $3 * interval '1 millisecond', updated_at = now()
           FROM due WHERE d.id = due.id AND d.status = 'PENDING' AND d.next_attempt_at <= now()
           RETURNING d.id, d.webhook_id, d.event_id, d.attempts, d.round_attempts
         )
         SELECT c.id, c.webhook_id, c.attempts, c.round_attempts, w.url,
           array_remove(ARRAY[w.secret, CASE WHEN w.previous_secret_until > now() THEN w.previous_secret END], NULL) AS secrets,
           e.id AS event_id, ${ENVELOPE_COLUMNS}
         FROM claimed c JOIN webhooks w ON w.id = c.webhook_id JOIN order_events e ON e.id = c.event_id`,
        [busyWebhookIds, limit, leaseMs],
      );
    },

    /**
     * What an attempt of a delivery taken by `claimDueDeliveries` came to; nothing when the claim is
     * no longer this attempt's (it ran out and another attempt took the delivery).
     */
    async recordAttempt(delivery: Pick<ClaimedDelivery, 'id' | 'webhook_id' | 'attempts'>, outcome: AttemptOutcome): Promise<void> {
      const mine = `id = $1 AND attempts = $2 AND status = 'PENDING'`;
      if (outcome.kind === 'released') {
        await db.query(`UPDATE webhook_deliveries SET round_attempts = round_attempts - 1, next_attempt_at = now(), updated_at = now() WHERE ${mine}`, [delivery.id, delivery.attempts]);
        return;
      }
      if (outcome.kind === 'succeeded') {
        await db.query(
          `UPDATE webhook_deliveries SET status = 'SUCCEEDED', last_response_code = $3, last_error = NULL, updated_at = now() WHERE ${mine}`,
          [delivery.id, delivery.attempts, outcome.responseCode],
        );
        return;
      }
      const updated = await db.query(
        `UPDATE webhook_deliveries SET status = $3, last_response_code = $4, last_error = $5,
           next_attempt_at = CASE WHEN $3 = 'PENDING' THEN now() + $6 * interval '1 millisecond' ELSE next_attempt_at END, updated_at = now()
         WHERE ${mine} RETURNING id`,
        [delivery.id, delivery.attempts, outcome.kind === 'retry' ? 'PENDING' : 'FAILED', outcome.responseCode, outcome.error, outcome.kind === 'retry' ? outcome.delayMs : 0],
      );
      if (updated.length > 0 && outcome.kind === 'failed' && outcome.disableWebhook) {
        await db.query('UPDATE webhooks SET enabled = false, disabled_reason = $2, updated_at = now() WHERE id = $1', [delivery.webhook_id, outcome.disableWebhook]);
      }
    },
  };
}

export type WebhookStore = ReturnType<typeof createWebhookStore>;
