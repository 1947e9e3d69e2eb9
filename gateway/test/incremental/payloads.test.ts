import { describe, expect, it } from 'vitest';
import { GraphQLError } from 'graphql';
import type { Delivery, PendingFragment } from '../../src/incremental/deferred-execution.js';
import { initialPayload, subsequentPayload } from '../../src/incremental/payloads.js';

const product = (index: number): PendingFragment => ({ id: String(index), label: 'product', path: ['order', 'items', index, 'product'] });
const user: PendingFragment = { id: '2', label: undefined, path: ['order'] };
const formatted = (error: GraphQLError) => ({ message: error.message, ...(error.path ? { path: error.path } : {}), extensions: { code: 'SERVICE_UNAVAILABLE' } });
const unavailable = new GraphQLError('The users service is unavailable; try again shortly', { path: ['order', 'user'] });

const DELIVERY: Delivery = {
  completed: [
    { pending: product(0), data: { name: 'Espresso cup' }, errors: [] },
    { pending: product(1), data: undefined, errors: [] },
  ],
  pending: [],
  hasNext: true,
};
const FAILED: Delivery = { completed: [{ pending: user, data: null, errors: [unavailable] }], pending: [], hasNext: false };

describe("Apollo's deferSpec=20220824", () => {
  it('sends the first answer with hasNext', () => {
    expect(initialPayload('deferSpec=20220824', { data: { order: { id: '1' } } }, [product(0)])).toEqual({ data: { order: { id: '1' } }, hasNext: true });
    expect(initialPayload('deferSpec=20220824', { data: { order: null } }, [])).toEqual({ data: { order: null }, hasNext: false });
  });

  it('sends each place a fragment applies at as an incremental entry with its path and label; none where its type does not match', () => {
    expect(subsequentPayload('deferSpec=20220824', DELIVERY, formatted)).toEqual({ incremental: [{ data: { name: 'Espresso cup' }, path: ['order', 'items', 0, 'product'], label: 'product' }], hasNext: true });
  });

  it("sends a fragment an error took as data: null with the error, leaving out the label the client did not give", () => {
    expect(subsequentPayload('deferSpec=20220824', FAILED, formatted)).toEqual({
      incremental: [{ data: null, path: ['order'], errors: [{ message: unavailable.message, path: ['order', 'user'], extensions: { code: 'SERVICE_UNAVAILABLE' } }] }],
      hasNext: false,
    });
  });
});

describe("graphql-js 17's incrementalSpec=v0.2", () => {
  it('announces each pending fragment with its id, path and label in the first answer', () => {
    expect(initialPayload('incrementalSpec=v0.2', { data: {} }, [product(0), user])).toEqual({
      data: {},
      pending: [
        { id: '0', path: ['order', 'items', 0, 'product'], label: 'product' },
        { id: '2', path: ['order'] },
      ],
      hasNext: true,
    });
  });

  it('sends data by pending id and completes every pending fragment, with the errors of one that failed', () => {
    expect(subsequentPayload('incrementalSpec=v0.2', { ...DELIVERY, pending: [user] }, formatted)).toEqual({
      pending: [{ id: '2', path: ['order'] }],
      incremental: [{ id: '0', data: { name: 'Espresso cup' } }],
      completed: [{ id: '0' }, { id: '1' }],
      hasNext: true,
    });
    expect(subsequentPayload('incrementalSpec=v0.2', FAILED, formatted)).toEqual({
      completed: [{ id: '2', errors: [{ message: unavailable.message, path: ['order', 'user'], extensions: { code: 'SERVICE_UNAVAILABLE' } }] }],
      hasNext: false,
    });
  });
});
