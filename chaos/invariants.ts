import { openDatabase } from '@shop/service-kit';
import { checkConsistency, demoInitialStock } from '../bench/consistency.js';
import type { DataLocation } from '../bench/seed.js';
import type { SubgraphName } from '@shop/service-kit/definitions';
import type { LoadRecord } from './load.js';

/** Answers a client may get while parts of the shop are down: the documented codes that say so, and a replica that is gone. */
const FAULT_ANSWERS = new Set(['SERVICE_UNAVAILABLE', 'network']);
/** Answers the load's own requests may get any time: a cancel of an order already moved on, an order of stock run out. */
const ORDINARY_ANSWERS = new Set(['ok', 'CONFLICT', 'INSUFFICIENT_STOCK', 'NOT_FOUND']);

/**
 * The books after a run, read from the databases once every service has stopped, and the answers
 * the load got: named by the invariant each problem breaks.
 */
export async function brokenInvariants(locations: Record<SubgraphName, DataLocation>, load: LoadRecord): Promise<string[]> {
  const problems: string[] = [];
  const placedKeys = new Set(load.placed.keys());
  for (const problem of await checkConsistency(locations, demoInitialStock(), placedKeys, 'chaos-')) {
    problems.push(`${problem.startsWith('key') || problem.includes('keys answered') ? 'one order per idempotency key, every order told placed exists' : 'no unit of stock created or lost'}: ${problem}`);
  }
  const orders = await openDatabase('url' in locations.orders ? { url: locations.orders.url } : { url: undefined, dataDir: locations.orders.dataDir });
  try {
    const transitional = await orders.query<{ id: string }>(`SELECT id FROM orders WHERE status = 'PLACING'`);
    if (transitional.length > 0) problems.push(`no order left being placed after the reconciler's interval: ${transitional.length}, e.g. ${transitional[0]!.id}`);
  } finally {
    await orders.close();
  }
  const unexpected = load.outcomes.filter((outcome) => !ORDINARY_ANSWERS.has(outcome.result) && !FAULT_ANSWERS.has(outcome.result));
  if (unexpected.length > 0) {
    const codes = [...new Set(unexpected.map((outcome) => outcome.result))];
    problems.push(`no answer other than the documented codes (no 500, no hang past the deadline): ${unexpected.length} answers ${codes.join(', ')}`);
  }
  return problems;
}
