import { BadUserInputError, checkPageSize, ConflictError, NotFoundError, requireAdmin, toConnection, type Viewer } from '@shop/service-kit';
import { newWebhookSecret } from './webhook-signing.js';
import { checkTargetUrl, TargetRefusedError, type TargetPolicy } from './webhook-targets.js';
import { WEBHOOK_EVENT_TYPES, type WebhookDeliveryStatus, type WebhookEventName } from './webhook-rows.js';
import type { WebhookStore } from './webhook-store.js';

const MAX_DESCRIPTION_LENGTH = 500;
/** How long registering waits for the URL's host to resolve. */
const RESOLVE_TIMEOUT_MS = 5_000;
/** A rotated-out secret signs for at most a week: long enough for any receiver to switch. */
const MAX_KEEP_PREVIOUS_SECONDS = 7 * 24 * 3_600;

export interface WebhookAdminOptions {
  store: WebhookStore;
  policy: TargetPolicy;
  /** Called when a delivery is due at once (a redelivery), so it need not wait for the next poll. */
  onDue: () => void;
}

/** What admins do with webhooks through the API: every verb checks the viewer is an admin first. */
export function createWebhookAdmin({ store, policy, onDue }: WebhookAdminOptions) {
  const found = <Row>(row: Row | null, id: string): Row => {
    if (!row) throw new NotFoundError(`No webhook ${id}`);
    return row;
  };

  return {
    async create(viewer: Viewer | null, args: { url: string; events: readonly WebhookEventName[]; description?: string | null }) {
      requireAdmin(viewer);
      if (args.events.length === 0) throw new BadUserInputError('Choose at least one event', 'events');
      const description = args.description?.trim() ?? '';
      if (description.length > MAX_DESCRIPTION_LENGTH) throw new BadUserInputError(`description must be at most ${MAX_DESCRIPTION_LENGTH} characters`, 'description');
      const url = await checkUrl(args.url, policy);
      const secret = newWebhookSecret();
      const events = [...new Set(args.events)].map((name) => WEBHOOK_EVENT_TYPES[name]);
      const webhook = await store.createWebhook({ url, events, description, secret });
      return { webhook, secret };
    },

    async list(viewer: Viewer | null, page: { first?: number | null | undefined; after?: string | null | undefined }) {
      requireAdmin(viewer);
      const size = checkPageSize(page.first ?? 20);
      const { rows, totalCount } = await store.listWebhooksPage({ limit: size + 1, after: page.after ?? null });
      return toConnection(rows, size, totalCount);
    },

    async find(viewer: Viewer | null, id: string) {
      requireAdmin(viewer);
      const [row] = await store.listWebhooksByIds([id]);
      return row ?? null;
    },

    async setEnabled(viewer: Viewer | null, id: string, enabled: boolean) {
      requireAdmin(viewer);
      const row = found(await store.updateWebhookEnabled(id, enabled), id);
      if (enabled) onDue();
      return row;
    },

    async delete(viewer: Viewer | null, id: string) {
      requireAdmin(viewer);
      if (!(await store.deleteWebhook(id))) throw new NotFoundError(`No webhook ${id}`);
      return id;
    },

    async rotateSecret(viewer: Viewer | null, id: string, keepPreviousForSeconds: number | null | undefined) {
      requireAdmin(viewer);
      const keep = keepPreviousForSeconds ?? 86_400;
      if (!Number.isInteger(keep) || keep < 0 || keep > MAX_KEEP_PREVIOUS_SECONDS) {
        throw new BadUserInputError(`keepPreviousForSeconds must be between 0 and ${MAX_KEEP_PREVIOUS_SECONDS}`, 'keepPreviousForSeconds');
      }
      const secret = newWebhookSecret();
      return { webhook: found(await store.updateWebhookSecret(id, secret, keep), id), secret };
    },

    async deliveries(
      viewer: Viewer | null,
      filter: { first?: number | null | undefined; after?: string | null | undefined; webhookId?: string | null | undefined; status?: WebhookDeliveryStatus | null | undefined },
    ) {
      requireAdmin(viewer);
      const size = checkPageSize(filter.first ?? 20);
      const { rows, totalCount } = await store.listDeliveriesPage({
        limit: size + 1,
        after: filter.after ?? null,
        webhookId: filter.webhookId ?? null,
        status: filter.status ?? null,
      });
      return toConnection(rows, size, totalCount);
    },

    async redeliver(viewer: Viewer | null, id: string) {
      requireAdmin(viewer);
      const delivery = await store.redeliver(id);
      if (delivery === 'pending') {
        throw new ConflictError('The delivery is still pending: it is on its way, or waits for its webhook to be enabled again');
      }
      if (!delivery) throw new NotFoundError(`No webhook delivery ${id}`);
      onDue();
      return delivery;
    },
  };
}

export type WebhookAdmin = ReturnType<typeof createWebhookAdmin>;

async function checkUrl(url: string, policy: TargetPolicy): Promise<string> {
  try {
    return (await checkTargetUrl(url.trim(), policy, AbortSignal.timeout(RESOLVE_TIMEOUT_MS))).href;
  } catch (error) {
    if (error instanceof TargetRefusedError) throw new BadUserInputError(error.message, 'url');
    if (error instanceof DOMException && error.name === 'TimeoutError') {
      throw new BadUserInputError(`The URL's host did not resolve within ${RESOLVE_TIMEOUT_MS / 1_000} s`, 'url');
    }
    throw error;
  }
}
