import { describe, expect, onTestFinished } from 'vitest';
import { Webhook as StandardWebhook, WebhookVerificationError } from 'standardwebhooks';
import {
  CancelOrderDocument,
  CreateWebhookDocument,
  DeleteWebhookDocument,
  DisableWebhookDocument,
  RedeliverWebhookDeliveryDocument,
  RotateWebhookSecretDocument,
  UpdateOrderStatusDocument,
  WebhookDeliveriesDocument,
  WebhooksDocument,
  type WebhookDeliveriesQuery,
  type WebhookEvent,
} from '@shop/sdk';
import { test } from './support/fixtures.js';
import { errorCodes, graphql } from './support/graphql.js';
import { createOrder, createProduct } from './support/checkout.js';
import { eventually } from './support/poll.js';
import { startWebhookReceiver, type Answer, type ReceivedWebhook } from './support/webhook-receiver.js';

/**
 * Retries after a tenth of a second, three times: a dead letter within a second, not three days.
 * Polling only once a minute: every delivery here is set off by its event's NOTIFY, a retry's own
 * timer or an admin's redelivery, as it is in production between polls.
 */
const it = test.extend('stackOptions', { scope: 'file' }, {
  ordersEnv: { WEBHOOK_RETRY_SCHEDULE: '100ms,100ms,100ms', WEBHOOK_POLL_MS: '60000', WEBHOOK_TIMEOUT_MS: '1500' },
});

type Delivery = WebhookDeliveriesQuery['webhookDeliveries']['nodes'][number];

/** A receiver for this test only, stopped when it ends. */
async function receiver(answer?: (request: ReceivedWebhook) => Answer) {
  const started = await startWebhookReceiver(answer);
  onTestFinished(() => started.stop());
  return started;
}

/** Registers a webhook as the admin; its secret and id. */
async function register(gatewayUrl: string, admin: string, url: string, events: WebhookEvent[]) {
  const created = await graphql(gatewayUrl, CreateWebhookDocument, { token: admin, variables: { url, events, description: 'warehouse' } });
  expect(created.errors).toBeUndefined();
  const { webhook, secret } = created.data!.createWebhook;
  return { id: webhook.id, secret };
}

async function deliveriesOf(gatewayUrl: string, admin: string, webhookId: string): Promise<Delivery[]> {
  const answer = await graphql(gatewayUrl, WebhookDeliveriesDocument, { token: admin, variables: { webhookId, first: 100 } });
  expect(answer.errors).toBeUndefined();
  return answer.data!.webhookDeliveries.nodes;
}

/** Places an order for one unit of a new product, as alice; its id. */
async function placeOrder(gatewayUrl: string, alice: string, admin: string): Promise<string> {
  const productId = await createProduct(gatewayUrl, admin, { stock: 5 });
  const placed = await createOrder(gatewayUrl, alice, [{ productId, quantity: 1 }]);
  expect(placed.errors).toBeUndefined();
  return placed.data!.createOrder.id;
}

const headersOf = (request: ReceivedWebhook) => request.headers as Record<string, string>;

describe('webhooks', () => {
  it('delivers each subscribed event once, signed per Standard Webhooks, and shows the deliveries to admins', async ({ shop: { stack, alice, admin } }) => {
    const endpoint = await receiver();
    const { id, secret } = await register(stack.gatewayUrl, admin, `${endpoint.url}/hooks/orders`, ['ORDER_PLACED', 'ORDER_CANCELLED']);
    const orderId = await placeOrder(stack.gatewayUrl, alice, admin);
    // Paid is not subscribed: it must not arrive.
    expect((await graphql(stack.gatewayUrl, UpdateOrderStatusDocument, { token: admin, variables: { id: orderId, status: 'PAID' } })).errors).toBeUndefined();
    expect((await graphql(stack.gatewayUrl, CancelOrderDocument, { token: admin, variables: { id: orderId } })).errors).toBeUndefined();
    await eventually(async () => endpoint.received.length >= 2, 'both events arrive');

    const outbox = await stack.dbs.orders.query<{ id: string; type: string }>('SELECT id, type FROM order_events WHERE order_id = $1 ORDER BY seq', [orderId]);
    const verifier = new StandardWebhook(secret);
    const verified = endpoint.received.map((request) => {
      expect(request.path).toBe('/hooks/orders');
      expect(request.headers['content-type']).toBe('application/json');
      return verifier.verify(request.body, headersOf(request)) as { id: string; type: string; schemaVersion: number; order: { id: string; status: string } };
    });
    expect(verified.map((event) => [event.type, event.order.status]).sort()).toEqual([
      ['order.cancelled', 'CANCELLED'],
      ['order.placed', 'PENDING'],
    ]);
    // The webhook id is the event's: the same as on the stream, the receiver's key for dropping repeats.
    for (const [index, event] of verified.entries()) {
      expect(outbox.find((row) => row.type === event.type)?.id).toBe(event.id);
      expect(endpoint.received[index]!.headers['webhook-id']).toBe(event.id);
      expect(event).toMatchObject({ schemaVersion: 1, order: { id: orderId } });
    }
    // Another secret does not verify it.
    expect(() => new StandardWebhook(Buffer.alloc(32, 7).toString('base64')).verify(endpoint.received[0]!.body, headersOf(endpoint.received[0]!))).toThrow(WebhookVerificationError);

    await eventually(async () => (await deliveriesOf(stack.gatewayUrl, admin, id)).every((delivery) => delivery.status === 'SUCCEEDED'), 'both deliveries are recorded as succeeded');
    const deliveries = await deliveriesOf(stack.gatewayUrl, admin, id);
    expect(deliveries.map((delivery) => [delivery.event, delivery.status, delivery.attempts, delivery.lastResponseCode, delivery.order?.id, delivery.webhook.id])).toEqual([
      ['ORDER_CANCELLED', 'SUCCEEDED', 1, 204, orderId, id],
      ['ORDER_PLACED', 'SUCCEEDED', 1, 204, orderId, id],
    ]);
    expect(deliveries.every((delivery) => delivery.nextAttemptAt === null && delivery.lastError === null)).toBe(true);
    // Nothing came twice.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(endpoint.received).toHaveLength(2);
  });

  it('retries a failing endpoint with the same id until it answers 2xx, never following a redirect', async ({ shop: { stack, alice, admin } }) => {
    const answers: Answer[] = [{ status: 500, body: 'x'.repeat(100_000) }, { status: 302, headers: { location: '/elsewhere' } }, { status: 503, headers: { 'retry-after': '0' } }];
    const endpoint = await receiver(() => answers.shift() ?? { status: 200, body: 'ok' });
    const { id, secret } = await register(stack.gatewayUrl, admin, endpoint.url, ['ORDER_PLACED']);
    await placeOrder(stack.gatewayUrl, alice, admin);
    await eventually(async () => (await deliveriesOf(stack.gatewayUrl, admin, id))[0]?.status === 'SUCCEEDED', 'the delivery succeeds');

    expect(endpoint.received.map((request) => request.path)).toEqual(['/', '/', '/', '/']);
    expect(new Set(endpoint.received.map((request) => request.headers['webhook-id'])).size).toBe(1);
    for (const request of endpoint.received) new StandardWebhook(secret).verify(request.body, headersOf(request));
    const [delivery] = await deliveriesOf(stack.gatewayUrl, admin, id);
    expect(delivery).toMatchObject({ status: 'SUCCEEDED', attempts: 4, lastResponseCode: 200, lastError: null });
  });

  it('dead-letters a delivery when its schedule is spent, and redelivers it on an admin’s request', async ({ shop: { stack, alice, admin } }) => {
    const endpoint = await receiver(() => ({ status: 500, body: 'database down '.repeat(10_000) }));
    const { id } = await register(stack.gatewayUrl, admin, endpoint.url, ['ORDER_PLACED']);
    await placeOrder(stack.gatewayUrl, alice, admin);
    await eventually(async () => (await deliveriesOf(stack.gatewayUrl, admin, id))[0]?.status === 'FAILED', 'the delivery is dead-lettered');

    const [dead] = await deliveriesOf(stack.gatewayUrl, admin, id);
    expect(dead).toMatchObject({ status: 'FAILED', attempts: 4, lastResponseCode: 500, nextAttemptAt: null });
    // The start of the answer, not all of it.
    expect(dead!.lastError).toMatch(/^answered 500: database down/);
    expect(dead!.lastError!.length).toBeLessThanOrEqual(300);
    expect(endpoint.received).toHaveLength(4);
    const failed = await graphql(stack.gatewayUrl, WebhookDeliveriesDocument, { token: admin, variables: { status: 'FAILED', first: 100 } });
    expect(failed.data!.webhookDeliveries.nodes.map((delivery) => delivery.id)).toContain(dead!.id);

    endpoint.answerWith(() => ({ status: 202 }));
    const redelivered = await graphql(stack.gatewayUrl, RedeliverWebhookDeliveryDocument, { token: admin, variables: { id: dead!.id } });
    expect(redelivered.errors).toBeUndefined();
    expect(redelivered.data!.redeliverWebhookDelivery.status).toBe('PENDING');
    await eventually(async () => (await deliveriesOf(stack.gatewayUrl, admin, id))[0]?.status === 'SUCCEEDED', 'the redelivery succeeds');
    expect((await deliveriesOf(stack.gatewayUrl, admin, id))[0]).toMatchObject({ attempts: 5, lastResponseCode: 202, lastError: null });
    expect(new Set(endpoint.received.map((request) => request.headers['webhook-id'])).size).toBe(1);
  });

  it('lets no slow endpoint hold up another', async ({ shop: { stack, alice, admin } }) => {
    const slow = await receiver(() => 'hang');
    const fast = await receiver();
    await register(stack.gatewayUrl, admin, slow.url, ['ORDER_PLACED']);
    await register(stack.gatewayUrl, admin, fast.url, ['ORDER_PLACED']);
    for (let order = 0; order < 3; order += 1) await placeOrder(stack.gatewayUrl, alice, admin);
    await eventually(async () => fast.received.length === 3, 'the fast endpoint gets all three events');
    // Meanwhile the slow one got its first request and holds it; the others wait their turn behind it, never beside it.
    expect(slow.received.length).toBeGreaterThanOrEqual(1);
    expect(slow.mostHangingAtOnce()).toBe(1);
  });

  it('disables an endpoint that answers 410 Gone, and keeps every other event from a disabled one', async ({ shop: { stack, alice, admin } }) => {
    const gone = await receiver(() => ({ status: 410 }));
    const { id } = await register(stack.gatewayUrl, admin, gone.url, ['ORDER_PLACED']);
    await placeOrder(stack.gatewayUrl, alice, admin);
    await eventually(async () => (await deliveriesOf(stack.gatewayUrl, admin, id))[0]?.status === 'FAILED', 'the delivery fails at once');
    const webhooks = await graphql(stack.gatewayUrl, WebhooksDocument, { token: admin, variables: { first: 100 } });
    expect(webhooks.data!.webhooks.nodes.find((webhook) => webhook.id === id)).toMatchObject({ enabled: false, disabledReason: 'the endpoint answered 410 Gone' });
    await placeOrder(stack.gatewayUrl, alice, admin);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(gone.received).toHaveLength(1);
    expect(await deliveriesOf(stack.gatewayUrl, admin, id)).toHaveLength(1);
  });

  it('signs with the old secret beside the new one while a rotation allows it, and not after', async ({ shop: { stack, alice, admin } }) => {
    const endpoint = await receiver();
    const { id, secret: first } = await register(stack.gatewayUrl, admin, endpoint.url, ['ORDER_PLACED']);
    const rotated = await graphql(stack.gatewayUrl, RotateWebhookSecretDocument, { token: admin, variables: { id } });
    const second = rotated.data!.rotateWebhookSecret.secret;
    expect(second).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(second).not.toBe(first);
    await placeOrder(stack.gatewayUrl, alice, admin);
    await eventually(async () => endpoint.received.length === 1, 'the event arrives');
    const [during] = endpoint.received;
    expect(headersOf(during!)['webhook-signature']!.split(' ')).toHaveLength(2);
    for (const secret of [first, second]) new StandardWebhook(secret).verify(during!.body, headersOf(during!));

    const third = (await graphql(stack.gatewayUrl, RotateWebhookSecretDocument, { token: admin, variables: { id, keepPreviousForSeconds: 0 } })).data!.rotateWebhookSecret.secret;
    await placeOrder(stack.gatewayUrl, alice, admin);
    await eventually(async () => endpoint.received.length === 2, 'the next event arrives');
    const after = endpoint.received[1]!;
    new StandardWebhook(third).verify(after.body, headersOf(after));
    expect(() => new StandardWebhook(second).verify(after.body, headersOf(after))).toThrow(WebhookVerificationError);
  });

  it('is for admins only, refuses targets webhooks may not reach, and stops delivering to a disabled or deleted webhook', async ({ shop: { stack, alice, admin } }) => {
    const endpoint = await receiver();
    const asAlice = await graphql(stack.gatewayUrl, CreateWebhookDocument, { token: alice, variables: { url: endpoint.url, events: ['ORDER_PLACED'] } });
    expect(errorCodes(asAlice)).toEqual(['FORBIDDEN']);
    expect(errorCodes(await graphql(stack.gatewayUrl, WebhooksDocument, { token: alice }))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await graphql(stack.gatewayUrl, WebhookDeliveriesDocument))).toEqual(['UNAUTHENTICATED']);

    for (const url of ['ftp://127.0.0.1/hook', 'http://user:password@127.0.0.1/hook', 'http://169.254.169.254/latest/meta-data', 'http://[fd00:ec2::254]/', 'not a url']) {
      const refused = await graphql(stack.gatewayUrl, CreateWebhookDocument, { token: admin, variables: { url, events: ['ORDER_PLACED'] } });
      expect(errorCodes(refused), url).toEqual(['BAD_USER_INPUT']);
      expect(refused.errors![0]!.extensions!.field, url).toBe('url');
    }
    const noEvents = await graphql(stack.gatewayUrl, CreateWebhookDocument, { token: admin, variables: { url: endpoint.url, events: [] } });
    expect(noEvents.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'events' });

    // Three webhooks at one receiver: one disabled, one deleted, and one left alone to show events flow.
    const disabled = await register(stack.gatewayUrl, admin, `${endpoint.url}/disabled`, ['ORDER_PLACED']);
    const deleted = await register(stack.gatewayUrl, admin, `${endpoint.url}/deleted`, ['ORDER_PLACED']);
    await register(stack.gatewayUrl, admin, `${endpoint.url}/control`, ['ORDER_PLACED']);
    expect((await graphql(stack.gatewayUrl, DisableWebhookDocument, { token: admin, variables: { id: disabled.id } })).data!.disableWebhook.enabled).toBe(false);
    expect((await graphql(stack.gatewayUrl, DeleteWebhookDocument, { token: admin, variables: { id: deleted.id } })).data!.deleteWebhook).toBe(deleted.id);
    expect(errorCodes(await graphql(stack.gatewayUrl, DeleteWebhookDocument, { token: admin, variables: { id: deleted.id } }))).toEqual(['NOT_FOUND']);
    expect(errorCodes(await graphql(stack.gatewayUrl, DisableWebhookDocument, { token: admin, variables: { id: 'not-an-id' } }))).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await graphql(stack.gatewayUrl, RedeliverWebhookDeliveryDocument, { token: admin, variables: { id: deleted.id } }))).toEqual(['NOT_FOUND']);
    await placeOrder(stack.gatewayUrl, alice, admin);
    await eventually(async () => endpoint.received.length >= 1, 'the control webhook gets the event');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(endpoint.received.map((request) => request.path)).toEqual(['/control']);
    expect(await deliveriesOf(stack.gatewayUrl, admin, disabled.id)).toEqual([]);
  });
});
