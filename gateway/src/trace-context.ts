import { randomBytes } from 'node:crypto';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ALL_ZEROS = /^0+$/;

/**
 * The W3C `traceparent` for the gateway's calls to subgraphs: the caller's trace id when it sent
 * a valid one (so its trace continues), else a new trace; always a new parent id for this hop.
 */
export function outgoingTraceparent(incoming: string | undefined): string {
  const match = incoming ? TRACEPARENT.exec(incoming.trim()) : null;
  // All-zero ids make the header invalid (W3C Trace Context): it is ignored, as is any malformed one.
  const valid = match?.[1] && match[2] && !ALL_ZEROS.test(match[1]) && !ALL_ZEROS.test(match[2]) ? match : null;
  const traceId = valid?.[1] ?? randomHex(16);
  const flags = valid?.[3] ?? '01';
  return `00-${traceId}-${randomHex(8)}-${flags}`;
}

// Random bytes drawn from a pool refilled 4 KiB at a time, as crypto.randomUUID does: a
// randomBytes call per request was a measurable share of the gateway's CPU under load.
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let used = 0;

function randomHex(bytes: number): string {
  if (used + bytes > pool.length) {
    pool = randomBytes(POOL_BYTES);
    used = 0;
  }
  used += bytes;
  return pool.toString('hex', used - bytes, used);
}
