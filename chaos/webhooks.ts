import { Webhook as StandardWebhook } from 'standardwebhooks';
import { openDatabase } from '@shop/service-kit';
import type { DataLocation } from '../bench/seed.js';
import { startWebhookReceiver, type ReceivedWebhook, type WebhookReceiver } from '../test/support/webhook-receiver.js';

/** A merchant's endpoint the run registers, subscribed to every order event. */
export interface ChaosReceiver {
  name: string;
  receiver: WebhookReceiver;
  secret: string;
  webhookId: string;
  /** The event ids of the deliveries whose signature verified as they arrived (Standard Webhooks refuses one more than 5 minutes old). */
  verified: Set<string>;
  /** Why deliveries did not verify, as they arrived. */
  refused: string[];
  /** Answers 500 (a merchant's endpoint failing) while true, 204 otherwise. */
  failing: boolean;
}

const EVERY_EVENT = ['ORDER_PLACED', 'ORDER_PAID', 'ORDER_SHIPPED', 'ORDER_DELIVERED', 'ORDER_CANCELLED'];
const CREATE = `mutation ($url: String!, $events: [WebhookEvent!]!, $description: String) { createWebhook(url: $url, events: $events, description: $description) { secret webhook { id } } }`;

/** Starts a receiver and registers it, as an admin does, for every order event; each delivery is verified as it arrives. */
export async function registerReceiver(name: string, gatewayUrl: string, adminToken: string): Promise<ChaosReceiver> {
  // Known once registered: deliveries cannot come before that.
  const registered: { endpoint?: ChaosReceiver } = {};
  const receiver = await startWebhookReceiver((request) => {
    if (registered.endpoint) verify(registered.endpoint, request);
    return { status: registered.endpoint?.failing ? 500 : 204 };
  });
  const response = await fetch(gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
    body: JSON.stringify({ query: CREATE, variables: { url: `${receiver.url}/${name}`, events: EVERY_EVENT, description: `chaos ${name}` } }),
  });
  const body = (await response.json()) as { data?: { createWebhook: { secret: string; webhook: { id: string } } } };
  if (!body.data) throw new Error(`could not register the ${name} webhook: ${JSON.stringify(body)}`);
  registered.endpoint = { name, receiver, secret: body.data.createWebhook.secret, webhookId: body.data.createWebhook.webhook.id, verified: new Set(), refused: [], failing: false };
  return registered.endpoint;
}

/** Checks one delivery's Standard Webhooks signature with the endpoint's secret, and that its `webhook-id` is the event's id (what a receiver drops repeats by). */
function verify(endpoint: ChaosReceiver, request: ReceivedWebhook): void {
  try {
    const event = new StandardWebhook(endpoint.secret).verify(request.body, request.headers as Record<string, string>) as { id: string };
    if (request.headers['webhook-id'] !== event.id) endpoint.refused.push(`webhook-id ${String(request.headers['webhook-id'])} is not the event's id ${event.id}`);
    endpoint.verified.add(event.id);
  } catch (error) {
    endpoint.refused.push(`a delivery that does not verify (${error instanceof Error ? error.message : String(error)})`);
  }
}

/** The ids of the events orders wrote since `webhookId` was registered: what its receiver must get. */
async function eventsSince(orders: DataLocation, webhookId: string): Promise<string[]> {
  const db = await openDatabase('url' in orders ? { url: orders.url } : { url: undefined, dataDir: orders.dataDir });
  try {
    const rows = await db.query<{ id: string }>('SELECT e.id FROM order_events e, webhooks w WHERE w.id = $1 AND e.occurred_at > w.created_at', [webhookId]);
    return rows.map((row) => row.id);
  } finally {
    await db.close();
  }
}

/** The event ids each receiver still lacks of those it must get (none when all came). */
export async function missingDeliveries(orders: DataLocation, endpoints: readonly ChaosReceiver[]): Promise<Map<string, string[]>> {
  const missing = new Map<string, string[]>();
  for (const endpoint of endpoints) missing.set(endpoint.name, (await eventsSince(orders, endpoint.webhookId)).filter((id) => !endpoint.verified.has(id)));
  return missing;
}

/** "Every webhook receiver got every event it subscribed to at least once, verifiable and deduplicable by its id." */
export async function webhookProblems(orders: DataLocation, endpoints: readonly ChaosReceiver[]): Promise<string[]> {
  const problems: string[] = [];
  for (const endpoint of endpoints) {
    const refusals = [...new Set(endpoint.refused)];
    if (refusals.length > 0) problems.push(`${endpoint.name}: ${endpoint.refused.length} deliveries refused: ${refusals.slice(0, 3).join('; ')}`);
    const owed = await eventsSince(orders, endpoint.webhookId);
    const lacking = owed.filter((id) => !endpoint.verified.has(id));
    if (lacking.length > 0) problems.push(`${endpoint.name}: ${lacking.length} of ${owed.length} events never delivered, e.g. ${lacking[0]}`);
  }
  return problems.map((problem) => `every webhook receiver got every event at least once, verifiable by its id: ${problem}`);
}
