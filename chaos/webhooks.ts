import { Webhook as StandardWebhook } from 'standardwebhooks';
import { openDatabase } from '@shop/service-kit';
import type { DataLocation } from '../bench/seed.js';
import { startWebhookReceiver, type WebhookReceiver } from '../test/support/webhook-receiver.js';

/** A merchant's endpoint the run registers, subscribed to every order event. */
export interface ChaosReceiver {
  name: string;
  receiver: WebhookReceiver;
  secret: string;
  webhookId: string;
}

const EVERY_EVENT = ['ORDER_PLACED', 'ORDER_PAID', 'ORDER_SHIPPED', 'ORDER_DELIVERED', 'ORDER_CANCELLED'];
const CREATE = `mutation ($url: String!, $events: [WebhookEvent!]!, $description: String) { createWebhook(url: $url, events: $events, description: $description) { secret webhook { id } } }`;

/** Starts a receiver and registers it, as an admin does, for every order event. */
export async function registerReceiver(name: string, gatewayUrl: string, adminToken: string): Promise<ChaosReceiver> {
  const receiver = await startWebhookReceiver();
  const response = await fetch(gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
    body: JSON.stringify({ query: CREATE, variables: { url: `${receiver.url}/${name}`, events: EVERY_EVENT, description: `chaos ${name}` } }),
  });
  const body = (await response.json()) as { data?: { createWebhook: { secret: string; webhook: { id: string } } } };
  if (!body.data) throw new Error(`could not register the ${name} webhook: ${JSON.stringify(body)}`);
  return { name, receiver, secret: body.data.createWebhook.secret, webhookId: body.data.createWebhook.webhook.id };
}

/** The event ids a receiver got, signature checked (Standard Webhooks, its secret); a request that does not verify is a problem. */
function verifiedIds(endpoint: ChaosReceiver, problems: string[]): Set<string> {
  const verifier = new StandardWebhook(endpoint.secret);
  const ids = new Set<string>();
  for (const request of endpoint.receiver.received) {
    try {
      const event = verifier.verify(request.body, request.headers as Record<string, string>) as { id: string };
      // Deduplicable: the id a receiver drops repeats by is in the header and the body alike.
      if (request.headers['webhook-id'] !== event.id) problems.push(`${endpoint.name}: webhook-id ${String(request.headers['webhook-id'])} is not the event's id ${event.id}`);
      ids.add(event.id);
    } catch (error) {
      problems.push(`${endpoint.name}: a delivery that does not verify (${error instanceof Error ? error.message : String(error)})`);
    }
  }
  return ids;
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
  for (const endpoint of endpoints) {
    const got = verifiedIds(endpoint, []);
    missing.set(endpoint.name, (await eventsSince(orders, endpoint.webhookId)).filter((id) => !got.has(id)));
  }
  return missing;
}

/** "Every webhook receiver got every event it subscribed to at least once, verifiable and deduplicable by its id." */
export async function webhookProblems(orders: DataLocation, endpoints: readonly ChaosReceiver[]): Promise<string[]> {
  const problems: string[] = [];
  for (const endpoint of endpoints) {
    const got = verifiedIds(endpoint, problems);
    const owed = await eventsSince(orders, endpoint.webhookId);
    const lacking = owed.filter((id) => !got.has(id));
    if (lacking.length > 0) problems.push(`${endpoint.name}: ${lacking.length} of ${owed.length} events never delivered, e.g. ${lacking[0]}`);
  }
  return problems.map((problem) => `every webhook receiver got every event at least once, verifiable by its id: ${problem}`);
}
