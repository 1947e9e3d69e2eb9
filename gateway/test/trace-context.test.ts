import { describe, expect, it } from 'vitest';
import { outgoingTraceparent } from '../src/trace-context.js';

const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_ID = '00f067aa0ba902b7';
const INCOMING = `00-${TRACE_ID}-${PARENT_ID}-01`;

/** The parts of a traceparent: version, trace id, parent id, flags. */
const parts = (traceparent: string) => {
  const [version, traceId, parentId, flags] = traceparent.split('-');
  return { version, traceId, parentId, flags };
};

describe('outgoingTraceparent', () => {
  it('keeps the trace id and flags of a valid incoming traceparent', () => {
    const outgoing = outgoingTraceparent(INCOMING);
    expect(outgoing).toMatch(TRACEPARENT);
    expect(parts(outgoing)).toMatchObject({ version: '00', traceId: TRACE_ID, flags: '01' });
  });

  it('keeps flags other than sampled, such as 00', () => {
    expect(parts(outgoingTraceparent(`00-${TRACE_ID}-${PARENT_ID}-00`)).flags).toBe('00');
  });

  it('accepts an incoming traceparent with surrounding spaces', () => {
    expect(parts(outgoingTraceparent(`  ${INCOMING} `)).traceId).toBe(TRACE_ID);
  });

  it('gives this hop a new 16-hex parent id, different on every call', () => {
    const first = parts(outgoingTraceparent(INCOMING)).parentId;
    const second = parts(outgoingTraceparent(INCOMING)).parentId;
    expect(first).toMatch(/^[0-9a-f]{16}$/);
    expect(first).not.toBe(PARENT_ID);
    expect(second).not.toBe(first);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['garbage', 'not-a-traceparent'],
    ['of an unknown version', `ff-${TRACE_ID}-${PARENT_ID}-01`],
    ['upper-case', INCOMING.toUpperCase()],
    ['with a short trace id', `00-${TRACE_ID.slice(1)}-${PARENT_ID}-01`],
    ['with a short parent id', `00-${TRACE_ID}-${PARENT_ID.slice(1)}-01`],
    ['with trailing data', `${INCOMING}-extra`],
    ['with an all-zero trace id', `00-${'0'.repeat(32)}-${PARENT_ID}-01`],
  ])('starts a fresh valid trace when the incoming one is %s', (_case, incoming) => {
    const outgoing = outgoingTraceparent(incoming);
    expect(outgoing).toMatch(TRACEPARENT);
    const { traceId, flags } = parts(outgoing);
    expect(traceId).not.toBe(TRACE_ID);
    expect(traceId).not.toMatch(/^0+$/);
    expect(flags).toBe('01');
  });

  it('starts a fresh trace when the incoming parent id is all zeros', () => {
    expect(parts(outgoingTraceparent(`00-${TRACE_ID}-${'0'.repeat(16)}-01`)).traceId).not.toBe(TRACE_ID);
  });

  it('starts a different trace each time it has none to continue', () => {
    expect(parts(outgoingTraceparent(undefined)).traceId).not.toBe(parts(outgoingTraceparent(undefined)).traceId);
  });
});
