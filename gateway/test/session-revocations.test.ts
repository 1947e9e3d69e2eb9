import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { capturingLogger } from '../../test/support/logger.js';
import { pollSessionRevocations, type SessionRevocations } from '../src/session-revocations.js';
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
    running = pollSessionRevocations({ url: 'http://users/sessions/revocations', intervalMs: 50, client: users.client, logger: capturingLogger().logger });
    running.start();
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
    running = pollSessionRevocations({ url: 'http://users/sessions/revocations', intervalMs: 50, client: users.client, logger: capturingLogger().logger });
    running.start();
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
    running = pollSessionRevocations({ url: 'http://users/sessions/revocations', intervalMs: 30, client: users.client, logger });
    running.start();
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
});
