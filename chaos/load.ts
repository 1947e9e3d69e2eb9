import { randomUUID } from 'node:crypto';
import { DEMO_PRODUCTS } from '@shop/service-kit';

/** A seeded pseudo-random source (mulberry32): the same seed, the same choices, run after run. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One answer as the load saw it: when, from which kind of request, and how it went. */
export interface Outcome {
  at: number;
  kind: 'browse' | 'place' | 'cancel' | 'move';
  /** 'ok', an error code from the answer, `HTTP <status>`, or 'network'. */
  result: string;
  ms: number;
}

export interface LoadRecord {
  outcomes: Outcome[];
  /** Idempotency keys sent, and those answered with an order (its id). */
  keysSent: Set<string>;
  placed: Map<string, string>;
}

export interface LoadOptions {
  gatewayUrls: readonly string[];
  customerTokens: readonly string[];
  adminToken: string;
  random: () => number;
  /** Stops the load when aborted. */
  signal: AbortSignal;
  /** Longest a request may take before it counts as hung. */
  deadlineMs: number;
}

const PLACE = `mutation ($input: CreateOrderInput!) { createOrder(input: $input) { id status } }`;
const CANCEL = `mutation ($id: ID!) { cancelOrder(id: $id) { id status } }`;
const MOVE = `mutation ($id: ID!, $status: OrderStatus!) { updateOrderStatus(id: $id, status: $status) { id status } }`;
const BROWSE = `query ($first: Int) { products(first: $first) { nodes { id name stock } } }`;
const NEXT_STATUS: Record<string, string> = { PENDING: 'PAID', PAID: 'SHIPPED', SHIPPED: 'DELIVERED' };

/** Codes after which a client (the SDK) sends the same request again, with the same idempotency key. */
const RETRIED = new Set(['SERVICE_UNAVAILABLE', 'network', 'HTTP 502', 'HTTP 503', 'HTTP 504', 'TIMEOUT']);

type Answer = { result: string; data?: Record<string, unknown> };

async function send(url: string, query: string, variables: Record<string, unknown>, token: string | undefined, deadlineMs: number): Promise<Answer> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(deadlineMs),
    });
    const text = await response.text();
    let body: { data?: Record<string, unknown> | null; errors?: { extensions?: { code?: string } }[] } | undefined;
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      return { result: `HTTP ${response.status}` };
    }
    const code = body?.errors?.[0]?.extensions?.code;
    if (code) return { result: code, ...(body?.data ? { data: body.data } : {}) };
    if (!response.ok || !body?.data) return { result: `HTTP ${response.status}` };
    return { result: 'ok', data: body.data };
  } catch (error) {
    return { result: error instanceof Error && error.name === 'TimeoutError' ? 'TIMEOUT' : 'network' };
  }
}

/**
 * The shop as it lives, until `signal`: each customer browses and places orders of one or two
 * demo products with an idempotency key, sending the same key again (as the SDK does) while the
 * answer says to retry, and sometimes cancels one; the admin moves placed orders along. Requests
 * are spread over the gateway replicas at random.
 */
export async function driveLoad(options: LoadOptions): Promise<LoadRecord> {
  const record: LoadRecord = { outcomes: [], keysSent: new Set(), placed: new Map() };
  const { random, signal } = options;
  const gateway = () => options.gatewayUrls[Math.floor(random() * options.gatewayUrls.length)]!;
  const timed = async (kind: Outcome['kind'], query: string, variables: Record<string, unknown>, token: string): Promise<Answer> => {
    const startedAt = performance.now();
    const answer = await send(gateway(), query, variables, token, options.deadlineMs);
    record.outcomes.push({ at: Date.now(), kind, result: answer.result, ms: performance.now() - startedAt });
    return answer;
  };
  const placedIds: string[] = [];
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const customer = async (token: string) => {
    /** This customer's own orders: the ones it may cancel. */
    const mine: string[] = [];
    while (!signal.aborted) {
      const roll = random();
      if (roll < 0.4) {
        await timed('browse', BROWSE, { first: 1 + Math.floor(random() * 10) }, token);
      } else if (roll < 0.85) {
        const key = `chaos-${randomUUID()}`;
        record.keysSent.add(key);
        const items = [DEMO_PRODUCTS[Math.floor(random() * DEMO_PRODUCTS.length)]!].map((product) => ({ productId: product.id, quantity: 1 + Math.floor(random() * 2) }));
        for (let attempt = 0; attempt < 8; attempt += 1) {
          const answer = await timed('place', PLACE, { input: { idempotencyKey: key, items } }, token);
          const order = answer.data?.createOrder as { id: string } | undefined;
          if (answer.result === 'ok' && order) {
            record.placed.set(key, order.id);
            placedIds.push(order.id);
            mine.push(order.id);
            break;
          }
          if (!RETRIED.has(answer.result)) break;
          await pause(200 * (attempt + 1));
        }
      } else if (mine.length > 0) {
        await timed('cancel', CANCEL, { id: mine[Math.floor(random() * mine.length)] }, token);
      }
      await pause(20 + random() * 80);
    }
  };
  const admin = async () => {
    while (!signal.aborted) {
      const id = placedIds[Math.floor(random() * placedIds.length)];
      if (id) {
        const read = await send(gateway(), `query ($id: ID!) { order(id: $id) { status } }`, { id }, options.adminToken, options.deadlineMs);
        const status = (read.data?.order as { status: string } | undefined)?.status;
        const next = status && NEXT_STATUS[status];
        if (next) await timed('move', MOVE, { id, status: next }, options.adminToken);
      }
      await pause(100);
    }
  };
  await Promise.all([...options.customerTokens.map(customer), admin()]);
  return record;
}
