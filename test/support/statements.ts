import { expect } from 'vitest';
import { SUBGRAPHS, type Stack, type SubgraphName } from './stack.js';

/** What runs in the background, answering no request: users' session revocations (the gateway polls them) and orders' webhook deliveries. */
const BACKGROUND = /session_revocations|webhook/;

/** The statements each subgraph ran to answer one request (which must succeed), and its response. */
export async function statementsFor<Response extends { errors?: unknown }>(
  stack: Stack,
  request: () => Promise<Response>,
): Promise<{ counts: Record<SubgraphName, number>; response: Response }> {
  for (const name of SUBGRAPHS) stack.statements[name].length = 0;
  const response = await request();
  expect(response.errors).toBeUndefined();
  const answering = (name: SubgraphName) => stack.statements[name].filter((sql) => !BACKGROUND.test(sql)).length;
  return { counts: Object.fromEntries(SUBGRAPHS.map((name) => [name, answering(name)])) as Record<SubgraphName, number>, response };
}
