import { setTimeout as sleep } from 'node:timers/promises';

/** Asks `condition` again every `intervalMs` until it holds; throws, naming `what`, after `timeoutMs`. */
export async function eventually(condition: () => Promise<boolean>, what: string, { timeoutMs = 10_000, intervalMs = 100 } = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(intervalMs);
  }
}
