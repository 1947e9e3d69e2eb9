import { randomBytes } from 'node:crypto';

const TRACEPARENT = /^00-([0-9a-f]{32})-[0-9a-f]{16}-([0-9a-f]{2})$/;

/**
 * The W3C `traceparent` for the gateway's calls to subgraphs: the caller's trace id when it sent
 * a valid one (so its trace continues), else a new trace; always a new parent id for this hop.
 */
export function outgoingTraceparent(incoming: string | undefined): string {
  const match = incoming ? TRACEPARENT.exec(incoming.trim()) : null;
  const traceId = match?.[1] && !/^0+$/.test(match[1]) ? match[1] : randomBytes(16).toString('hex');
  const flags = match?.[2] ?? '01';
  return `00-${traceId}-${randomBytes(8).toString('hex')}-${flags}`;
}
