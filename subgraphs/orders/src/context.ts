import type { SubgraphContext } from '@shop/service-kit';
import type { Loaders } from './loaders.js';
import type { OrderReads } from './order-reads.js';
import type { Checkout } from './checkout.js';
import type { OrderLifecycle } from './order-lifecycle.js';
import type { WebhookAdmin } from './webhook-admin.js';
import type { OrderUpdates } from './subscriptions/order-updates.js';
import type { Viewer } from '@shop/service-kit';

export interface OrdersContext extends SubgraphContext {
  loaders: Loaders;
  /** What Query reads directly (pages of orders); everything else goes through the loaders. */
  orders: OrderReads;
  checkout: Checkout;
  lifecycle: OrderLifecycle;
  webhooks: WebhookAdmin;
  /** UNAUTHENTICATED unless the viewer's account exists at users (asked with this request's token). */
  requireAccount: (viewer: Viewer) => Promise<void>;
  /** The streams behind the Subscription fields. */
  orderUpdates: OrderUpdates;
  /** Set on subscriptions (GraphQL over SSE) only: when the subscriber's token expires (ms since the epoch), null without a token. */
  tokenExpiresAt?: number | null;
  /** Set on subscriptions only: the SSE `Last-Event-ID` header, resumed after when `after` is not given. */
  lastEventId?: string;
}

/** A User or Product of another service, known here by id only; its owner resolves the rest. */
export interface EntityReference {
  id: string;
}
