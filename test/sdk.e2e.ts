import { describe, expect } from 'vitest';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { DEMO_ORDERS, DEMO_PRODUCTS, DEMO_USERS } from '@shop/service-kit';
import {
  CancelOrderDocument,
  CreateOrderDocument,
  CreateProductDocument,
  CreateWebhookDocument,
  DeleteWebhookDocument,
  DisableWebhookDocument,
  EnableWebhookDocument,
  RedeliverWebhookDeliveryDocument,
  RotateWebhookSecretDocument,
  WebhookDeliveriesDocument,
  WebhooksDocument,
  createShopClient,
  DeleteUserDocument,
  MeDocument,
  MyOrdersDocument,
  MyOrderUpdatesDocument,
  OrderUpdatedDocument,
  OrderDocument,
  OrderPageDocument,
  type OrderPageQuery,
  type AnswerInParts,
  OrdersDocument,
  ProductDocument,
  ProductsDocument,
  SetUserRoleDocument,
  ShopError,
  ShopNetworkError,
  UpdateOrderStatusDocument,
  UpdateMeDocument,
  UpdateProductDocument,
  UserDocument,
  UsersDocument,
  type ShopClient,
} from '@shop/sdk';
import type { Stack } from './support/stack.js';
import { test } from './support/fixtures.js';
import { ADMIN, ALICE } from './support/graphql.js';

const [ADMIN_USER, ALICE_USER] = DEMO_USERS;
const MANIFEST = new URL('../sdk/src/__generated__/persisted-documents.json', import.meta.url);

/** What the client sent: the hash of each request, or its text when it sent one. */
interface Sent {
  hash?: string;
  query?: string;
}

/** The SDK's own client, recording what it sends over the wire (and telling `answered` of each answer). */
function recordingClient(stack: Stack, sent: Sent[], answered?: (response: Response) => void): ShopClient {
  return createShopClient({
    url: `${stack.gatewayUrl}/graphql`,
    fetch: async (input, init) => {
      const body = JSON.parse(init?.body as string) as { query?: string; extensions?: { persistedQuery?: { sha256Hash?: string } } };
      sent.push({ hash: body.extensions?.persistedQuery?.sha256Hash, query: body.query });
      const response = await fetch(input, init);
      answered?.(response);
      return response;
    },
  });
}

/** Runs `action` and returns the ShopError it throws. */
async function shopError(action: Promise<unknown>): Promise<ShopError> {
  const error = await action.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ShopError);
  return error as ShopError;
}

/** The demo customer's and admin's clients, signed in, and what every recording client of the file sent. */
const it = test.extend('clients', { scope: 'file' }, async ({ stack }) => {
  const sent: Sent[] = [];
  const alice = recordingClient(stack, sent);
  const admin = recordingClient(stack, sent);
  await alice.login(ALICE.email, ALICE.password);
  await admin.login(ADMIN.email, ADMIN.password);
  return { sent, alice, admin };
});

// First in the file: the manifest check below counts the subscriptions' documents this sends.
describe('the client SDK’s subscriptions', () => {
  it('streams alice’s order to her, typed, with its user and products, as the admin pays it', async ({ stack, clients: { sent, admin } }) => {
    let streams = 0;
    const alice = recordingClient(stack, sent, (response) => {
      if (response.headers.get('content-type')?.startsWith('text/event-stream')) streams += 1;
    });
    await alice.login(ALICE.email, ALICE.password);
    const { createOrder } = await alice.request(CreateOrderDocument, {
      input: { idempotencyKey: randomUUID(), items: [{ productId: DEMO_PRODUCTS[0]!.id, quantity: 1 }] },
    });
    const orderUpdates = alice.subscribe(OrderUpdatedDocument, { id: createOrder.id });
    const myUpdates = alice.subscribe(MyOrderUpdatesDocument);
    const nextOfOrder = orderUpdates.next();
    const nextOfMine = myUpdates.next();
    // Both streams open (the gateway answers once the orders subgraph's stream is open): the payment comes after.
    await expect.poll(() => streams, { timeout: 10_000 }).toBe(2);
    await admin.request(UpdateOrderStatusDocument, { id: createOrder.id, status: 'PAID' });

    const event = await nextOfOrder;
    expect(event.done).toBe(false);
    const paid = event.value!.orderUpdated;
    expect(paid).toMatchObject({ id: createOrder.id, status: 'PAID', user: { id: ALICE_USER.id, name: ALICE_USER.name } });
    expect(paid.items.map((item) => item.product?.name)).toEqual([DEMO_PRODUCTS[0]!.name]);
    expect(paid.statusHistory.map((change) => change.status)).toEqual(['PENDING', 'PAID']);
    expect(orderUpdates.lastEventId).toMatch(/^\S+$/);
    const mine = await nextOfMine;
    expect(mine.value?.myOrderUpdates).toMatchObject({ id: createOrder.id, status: 'PAID' });

    // Closing ends the streams: the next read is done.
    await orderUpdates.close();
    await myUpdates.close();
    expect(await orderUpdates.next()).toEqual({ done: true, value: undefined });
  });
});

describe('the client SDK', () => {
  it('runs every public operation through the gateway, each sent by its hash alone', async ({ stack, clients: { sent, alice, admin } }) => {
    const visitor = recordingClient(stack, sent);
    expect(await visitor.request(MeDocument)).toEqual({ me: null });
    const registered = await visitor.register({ email: `sdk-${randomUUID()}@example.com`, password: 'long-enough', name: 'Sid Kay' });
    expect(registered.user.role).toBe('CUSTOMER');
    expect(visitor.token).toBe(registered.token);
    expect((await visitor.request(MeDocument)).me?.id).toBe(registered.user.id);
    await visitor.signOut();
    expect(await visitor.request(MeDocument)).toEqual({ me: null });

    // Accounts: a session refreshed, the profile and password changed, signed out everywhere, an admin's view, erasure.
    const member = recordingClient(stack, sent);
    const memberEmail = `sdk-${randomUUID()}@example.com`;
    const joined = await member.register({ email: memberEmail, password: 'long-enough', name: 'Mem Ber' });
    const renewed = await member.refreshSession();
    expect(renewed.refreshToken).not.toBe(joined.refreshToken);
    expect((await member.request(UpdateMeDocument, { input: { name: 'Member Renamed' } })).updateMe.name).toBe('Member Renamed');
    await member.changePassword('long-enough', 'longer-than-before');
    await member.signOutEverywhere();
    expect(member.session).toBeUndefined();
    await member.login(memberEmail, 'longer-than-before');
    const listed = await admin.request(UsersDocument, { first: 5, search: memberEmail });
    expect(listed.users.nodes.map((user) => user.id)).toEqual([joined.user.id]);
    expect((await admin.request(SetUserRoleDocument, { id: joined.user.id, role: 'ADMIN' })).setUserRole.role).toBe('ADMIN');
    await member.deleteMe('longer-than-before');
    const doomed = await recordingClient(stack, sent).register({ email: `sdk-${randomUUID()}@example.com`, password: 'long-enough', name: 'Doomed' });
    expect((await admin.request(DeleteUserDocument, { id: doomed.user.id })).deleteUser).toBe(true);

    const page = await alice.request(ProductsDocument, { first: 5, search: 'cup' });
    expect(page.products.nodes.map((product) => product.name)).toContain(DEMO_PRODUCTS[0]!.name);
    const cup = await alice.request(ProductDocument, { id: DEMO_PRODUCTS[0]!.id });
    expect(cup.product?.price).toEqual({ amountCents: DEMO_PRODUCTS[0]!.priceCents, currency: 'EUR' });

    const { createOrder } = await alice.request(CreateOrderDocument, {
      input: { idempotencyKey: randomUUID(), items: [{ productId: DEMO_PRODUCTS[0]!.id, quantity: 1 }] },
    });
    expect(createOrder.status).toBe('PENDING');
    const { order } = await alice.request(OrderDocument, { id: createOrder.id });
    expect(order?.user?.email).toBe(ALICE.email);
    expect(order?.items[0]?.product?.name).toBe(DEMO_PRODUCTS[0]!.name);
    // The order page in parts: the order first, its products' details and user as they come; the types allow them missing until then.
    const states: AnswerInParts<OrderPageQuery>[] = [];
    for await (const state of alice.requestInParts(OrderPageDocument, { id: createOrder.id })) states.push(state);
    expect(states[0]).toMatchObject({ complete: false, data: { order: { id: createOrder.id, status: 'PENDING', items: [{ product: { id: DEMO_PRODUCTS[0]!.id } }] } } });
    expect(states[0]!.data.order?.items[0]?.product?.name).toBeUndefined();
    expect(states[0]!.data.order?.user).toBeUndefined();
    expect(states.at(-1)).toMatchObject({ complete: true, data: { order: { user: { email: ALICE.email }, items: [{ product: { name: DEMO_PRODUCTS[0]!.name } }] } } });
    const mine = await alice.request(MyOrdersDocument, { first: 50 });
    expect(mine.me?.orders?.nodes.map((order) => order.id)).toContain(createOrder.id);
    expect((await alice.request(CancelOrderDocument, { id: createOrder.id })).cancelOrder.status).toBe('CANCELLED');

    expect((await admin.request(UserDocument, { id: ALICE_USER.id })).user?.name).toBe(ALICE_USER.name);
    const paid = await admin.request(OrdersDocument, { status: 'PAID' });
    expect(paid.orders.nodes.every((order) => order.status === 'PAID')).toBe(true);
    const { createProduct } = await admin.request(CreateProductDocument, {
      input: { name: 'SDK mug', description: 'Made by a test.', priceCents: 990, currency: 'EUR', stock: 3 },
    });
    const { updateProduct } = await admin.request(UpdateProductDocument, { id: createProduct.id, input: { stock: 5 } });
    expect(updateProduct).toMatchObject({ id: createProduct.id, stock: 5, name: 'SDK mug' });
    const pending = DEMO_ORDERS[1].id;
    expect((await admin.request(UpdateOrderStatusDocument, { id: pending, status: 'PAID' })).updateOrderStatus.status).toBe('PAID');
    // A merchant's webhook, as an admin screen manages it (no event it subscribes to happens here).
    const { createWebhook } = await admin.request(CreateWebhookDocument, { url: 'http://127.0.0.1:9/sdk-hook', events: ['ORDER_DELIVERED'], description: 'SDK' });
    const hookId = createWebhook.webhook.id;
    expect(createWebhook.secret).toMatch(/^whsec_/);
    expect((await admin.request(WebhooksDocument, { first: 10 })).webhooks.nodes.map((webhook) => webhook.id)).toContain(hookId);
    expect((await admin.request(WebhookDeliveriesDocument, { webhookId: hookId })).webhookDeliveries.totalCount).toBe(0);
    expect((await admin.request(DisableWebhookDocument, { id: hookId })).disableWebhook.enabled).toBe(false);
    expect((await admin.request(EnableWebhookDocument, { id: hookId })).enableWebhook.enabled).toBe(true);
    expect((await admin.request(RotateWebhookSecretDocument, { id: hookId, keepPreviousForSeconds: 0 })).rotateWebhookSecret.secret).not.toBe(createWebhook.secret);
    expect((await shopError(admin.request(RedeliverWebhookDeliveryDocument, { id: randomUUID() }))).code).toBe('NOT_FOUND');
    expect((await admin.request(DeleteWebhookDocument, { id: hookId })).deleteWebhook).toBe(hookId);

    // Every document of the manifest went out, and only ever as a hash.
    const manifest = Object.keys(JSON.parse(await readFile(MANIFEST, 'utf8')) as Record<string, string>);
    expect(new Set(sent.map((request) => request.hash))).toEqual(new Set(manifest));
    expect(sent.filter((request) => request.query !== undefined)).toEqual([]);
  });

  it('throws ShopError with the code, field and productId the server sent', async ({ stack, clients: { alice, admin } }) => {
    const stockless = await shopError(
      alice.request(CreateOrderDocument, {
        input: { idempotencyKey: randomUUID(), items: [{ productId: DEMO_PRODUCTS[1]!.id, quantity: 1000 }] },
      }),
    );
    expect(stockless).toMatchObject({ code: 'INSUFFICIENT_STOCK', productId: DEMO_PRODUCTS[1]!.id });
    const unknown = await shopError(
      alice.request(CreateOrderDocument, { input: { idempotencyKey: randomUUID(), items: [{ productId: randomUUID(), quantity: 1 }] } }),
    );
    expect(unknown.code).toBe('NOT_FOUND');
    const short = await shopError(createShopClient({ url: `${stack.gatewayUrl}/graphql` }).register({ email: 'x@example.com', password: 'short', name: 'X' }));
    expect(short).toMatchObject({ code: 'BAD_USER_INPUT', field: 'password' });
    const wrong = await shopError(createShopClient({ url: `${stack.gatewayUrl}/graphql` }).login(ALICE.email, 'not-her-password'));
    expect(wrong.code).toBe('UNAUTHENTICATED');
    const notAdmin = await shopError(alice.request(UpdateOrderStatusDocument, { id: DEMO_ORDERS[2].id, status: 'SHIPPED' }));
    expect(notAdmin.code).toBe('FORBIDDEN');
    const delivered = await shopError(admin.request(CancelOrderDocument, { id: DEMO_ORDERS[0].id }));
    expect(delivered.code).toBe('CONFLICT');
    const someoneElses = await shopError(alice.request(UserDocument, { id: ADMIN_USER.id }));
    expect(someoneElses).toMatchObject({ code: 'FORBIDDEN', data: { user: null }, status: 200 });
    expect(someoneElses.errors[0]?.path).toEqual(['user']);
  });

  it('tells a server it cannot reach, or one that answers no GraphQL, apart from GraphQL errors', async ({ stack }) => {
    const closed = createShopClient({ url: 'http://127.0.0.1:9/graphql' });
    await expect(closed.request(MeDocument)).rejects.toBeInstanceOf(ShopNetworkError);
    const proxyPage = createShopClient({
      url: `${stack.gatewayUrl}/graphql`,
      fetch: async () => new Response('<html>Bad gateway</html>', { status: 502, headers: { 'content-type': 'text/html' } }),
    });
    await expect(proxyPage.request(MeDocument)).rejects.toMatchObject({ name: 'ShopNetworkError', status: 502 });
  });
});
