import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Viewer } from '@shop/service-kit';
import { capturingLogger } from '../../test/support/logger.js';
import { pollSessionRevocations, refusingRevokedSessions, type SessionRevocations } from '../src/session-revocations.js';
import type { SubgraphClient, SubgraphReply } from '../src/subgraph-client.js';

type Entry = { sessionId: string; ended: boolean; minGeneration: number; expiresAt: string };

/** A users feed in memory: its entries by revision, or down. */
function feed() {
  const entries: (Entry & { revision: string })[] = [];
  const asked: string[] = [];
  let down = false;
  const client = {
    get: async (url: string): Promise<SubgraphReply> => {
      asked.push(url);
      if (down) throw new Error('connect ECONNREFUSED');
      const after = Number(new URL(url).searchParams.get('after'));
      const page = entries.filter((entry) => Number(entry.revision) > after).slice(0, 1000);
      return { status: 200, cacheControl: undefined, body: JSON.stringify({ revocations: page }) };
    },
  } as unknown as SubgraphClient; // only `get` is used by the poller
  return {
    client,
    asked,
    add: (entry: Entry) => entries.push({ ...entry, revision: String(entries.length + 1) }),
    setDown: (value: boolean) => (down = value),
  };
}

const inAMinute = () => new Date(Date.now() + 60_000).toISOString();
let running: SessionRevocations | undefined;
afterEach(() => running?.stop());

describe('session revocations at the gateway', () => {
  it('refuses the tokens of ended sessions and of older generations, and no others', async () => {
    const users = feed();
    users.add({ sessionId: 's-ended', ended: true, minGeneration: 1, expiresAt: inAMinute() });
    users.add({ sessionId: 's-role', ended: false, minGeneration: 3, expiresAt: inAMinute() });
    running = pollSessionRevocations({ url: 'http://users/sessions/revocations', intervalMs: 50, maxEntries: 10_000, client: users.client, logger: capturingLogger().logger });
    await running.start();
    await sleep(20);
    expect(running.refuses({ id: 's-ended', generation: 7 })).toBe(true);
    expect(running.refuses({ id: 's-role', generation: 2 })).toBe(true);
    expect(running.refuses({ id: 's-role', generation: 3 })).toBe(false);
    expect(running.refuses({ id: 's-other', generation: 1 })).toBe(false);
    expect(running.refuses(undefined)).toBe(false);
  });

  it('reads on from the last revision, page after page, and forgets what has expired', async () => {
    const users = feed();
    for (let index = 0; index < 1500; index += 1) users.add({ sessionId: `s-${index}`, ended: true, minGeneration: 1, expiresAt: inAMinute() });
    users.add({ sessionId: 's-expired', ended: true, minGeneration: 1, expiresAt: new Date(Date.now() - 1).toISOString() });
    running = pollSessionRevocations({ url: 'http://users/sessions/revocations', intervalMs: 50, maxEntries: 10_000, client: users.client, logger: capturingLogger().logger });
    await running.start();
    await sleep(20);
    expect(running.refuses({ id: 's-1499', generation: 1 })).toBe(true);
    expect(running.refuses({ id: 's-expired', generation: 1 })).toBe(false);
    expect(users.asked.slice(0, 2)).toEqual(['http://users/sessions/revocations?after=0', 'http://users/sessions/revocations?after=1000']);
    users.add({ sessionId: 's-new', ended: true, minGeneration: 1, expiresAt: inAMinute() });
    await sleep(120);
    expect(running.refuses({ id: 's-new', generation: 1 })).toBe(true);
    expect(users.asked.at(-1)).toBe('http://users/sessions/revocations?after=1502');
  });

  it('keeps refusing what it knows while users is down, logs that once, and catches up after', async () => {
    const users = feed();
    const { logger, lines } = capturingLogger();
    users.add({ sessionId: 's-known', ended: true, minGeneration: 1, expiresAt: inAMinute() });
    running = pollSessionRevocations({ url: 'http://users/sessions/revocations', intervalMs: 30, maxEntries: 10_000, client: users.client, logger });
    await running.start();
    await sleep(10);
    users.setDown(true);
    users.add({ sessionId: 's-meanwhile', ended: true, minGeneration: 1, expiresAt: inAMinute() });
    await sleep(150);
    expect(running.refuses({ id: 's-known', generation: 1 })).toBe(true);
    expect(running.refuses({ id: 's-meanwhile', generation: 1 })).toBe(false);
    users.setDown(false);
    await sleep(80);
    expect(running.refuses({ id: 's-meanwhile', generation: 1 })).toBe(true);
    expect(lines.map((line) => line.msg)).toEqual(['cannot read session revocations: refusing those known, retrying', 'session revocations readable again']);
  });

  it('takes no token with a session until it has read the feed once, says why on /ready, and takes them once users answers', async () => {
    const users = feed();
    users.setDown(true);
    running = pollSessionRevocations({ url: 'http://users/sessions/revocations', intervalMs: 20, maxEntries: 10_000, client: users.client, logger: capturingLogger().logger });
    await running.start();
    const withSession: Viewer = { userId: 'u-1', role: 'CUSTOMER', scopes: [], session: { id: 's-1', generation: 1 } };
    const sessionless: Viewer = { userId: 'u-2', role: 'CUSTOMER', scopes: [] };
    const verify = refusingRevokedSessions(async (token) => (token === 'with-session' ? withSession : sessionless), running);

    await expect(verify('with-session')).rejects.toMatchObject({ extensions: { code: 'SERVICE_UNAVAILABLE', http: { status: 503 } } });
    await expect(verify('sessionless')).resolves.toEqual(sessionless);
    expect(running.problems()).toEqual([expect.stringMatching(/^session revocations: not read yet .*ECONNREFUSED/)]);

    users.setDown(false);
    await vi.waitFor(() => expect(running!.hasRead()).toBe(true));
    expect(running.problems()).toEqual([]);
    await expect(verify('with-session')).resolves.toEqual(withSession);
  });

  it('is ready and judging sessions as soon as its first read succeeds', async () => {
    const users = feed();
    users.add({ sessionId: 's-ended', ended: true, minGeneration: 1, expiresAt: inAMinute() });
    running = pollSessionRevocations({ url: 'http://users/sessions/revocations', intervalMs: 60_000, maxEntries: 10_000, client: users.client, logger: capturingLogger().logger });
    await running.start();
    const verify = refusingRevokedSessions(async () => ({ userId: 'u-1', role: 'CUSTOMER', scopes: [], session: { id: 's-ended', generation: 1 } }), running);
    expect(running.problems()).toEqual([]);
    await expect(verify('any')).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
  });

  it('remembers at most maxEntries ended sessions, forgetting the oldest learned, and says so once', async () => {
    const users = feed();
    const { logger, lines } = capturingLogger();
    for (let index = 0; index < 2500; index += 1) users.add({ sessionId: `s-${index}`, ended: true, minGeneration: 1, expiresAt: inAMinute() });
    running = pollSessionRevocations({ url: 'http://users/sessions/revocations', intervalMs: 60_000, maxEntries: 1000, client: users.client, logger });
    await running.start();
    expect(running.size).toBe(1000);
    expect(running.refuses({ id: 's-2499', generation: 1 })).toBe(true);
    expect(running.refuses({ id: 's-1500', generation: 1 })).toBe(true);
    expect(running.refuses({ id: 's-1499', generation: 1 })).toBe(false);
    expect(lines.filter((line) => /SESSION_REVOCATIONS_MAX/.test(line.msg))).toHaveLength(1);
  });

  it('asks a feed given with a query string of its own (SESSION_REVOCATIONS_URL), keeping it', async () => {
    const users = feed();
    running = pollSessionRevocations({ url: 'https://sessions.internal/ended?tenant=a', intervalMs: 60_000, maxEntries: 1000, client: users.client, logger: capturingLogger().logger });
    await running.start();
    expect(users.asked).toEqual(['https://sessions.internal/ended?tenant=a&after=0']);
    expect(running.problems()).toEqual([]);
  });
});
