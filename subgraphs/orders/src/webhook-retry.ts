/**
 * When a failed webhook delivery is tried again: WEBHOOK_RETRY_SCHEDULE lists the delays between
 * attempts (`5s,5m,30m,2h`: a first attempt at once, then four retries), each spread by jitter so
 * endpoints that failed together are not retried together. After the last delay's attempt fails, the
 * delivery is dead (FAILED) until an admin redelivers it.
 */

/** The Standard Webhooks specification's example: three days and a bit, growing about exponentially. */
export const DEFAULT_RETRY_SCHEDULE = '5s,5m,30m,2h,5h,10h,14h,20h,24h';

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;
/** Longer than this is a typo: no endpoint is worth waiting a week between two attempts for. */
const MAX_DELAY_MS = 7 * 24 * 3_600_000;
const JITTER = 0.2;

/** The delays of a schedule in milliseconds; throws with the offending entry. */
export function parseRetrySchedule(text: string): number[] {
  const entries = text.split(',').map((entry) => entry.trim());
  return entries.map((entry) => {
    const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(entry);
    if (!match) throw new Error(`"${entry}" is not a delay such as 500ms, 5s, 30m or 2h`);
    const delay = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
    if (delay > MAX_DELAY_MS) throw new Error(`"${entry}" is longer than a week`);
    return delay;
  });
}

/**
 * How long to wait before the next attempt of a round after `roundAttempts` failed ones, or null
 * when the schedule is spent. A Retry-After the endpoint sent is honoured when it asks for longer.
 */
export function nextRetryDelayMs(schedule: readonly number[], roundAttempts: number, retryAfterMs?: number, random: () => number = Math.random): number | null {
  const delay = schedule[roundAttempts - 1];
  if (delay === undefined) return null;
  const jittered = Math.round(delay * (1 - JITTER + 2 * JITTER * random()));
  return Math.max(jittered, Math.min(retryAfterMs ?? 0, MAX_DELAY_MS));
}
