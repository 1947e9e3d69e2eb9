import { describe, expect, it } from 'vitest';
import { ShopError, type ShopSubscription } from '@shop/sdk';
import { follow } from '../src/live.js';

/** A subscription whose events and end the test pushes, as the SDK's would arrive. */
function fakeSubscription<T>() {
  const queue: IteratorResult<T, undefined>[] = [];
  let waiting: { resolve: (step: IteratorResult<T, undefined>) => void; reject: (error: unknown) => void } | undefined;
  let failure: unknown;
  let closed = 0;
  const settle = () => {
    if (!waiting) return;
    const { resolve, reject } = waiting;
    if (queue.length > 0) {
      waiting = undefined;
      resolve(queue.shift()!);
    } else if (failure !== undefined) {
      waiting = undefined;
      reject(failure);
    }
  };
  const subscription: ShopSubscription<T> = {
    next: () =>
      new Promise((resolve, reject) => {
        waiting = { resolve, reject };
        settle();
      }),
    async return() {
      await subscription.close();
      return { done: true, value: undefined };
    },
    async close() {
      closed += 1;
      queue.push({ done: true, value: undefined });
      settle();
    },
    lastEventId: undefined,
    [Symbol.asyncIterator]: () => subscription,
  };
  return {
    subscription,
    push(value: T) {
      queue.push({ done: false, value });
      settle();
    },
    end() {
      queue.push({ done: true, value: undefined });
      settle();
    },
    fail(error: unknown) {
      failure = error;
      settle();
    },
    closed: () => closed,
  };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('following a subscription', () => {
  it('hands on each event in order, then the end', async () => {
    const fake = fakeSubscription<string>();
    const events: string[] = [];
    const ends: unknown[] = [];
    follow(fake.subscription, { onEvent: (data) => events.push(data), onEnd: (error) => ends.push(error) });
    fake.push('PAID');
    fake.push('SHIPPED');
    await tick();
    expect(events).toEqual(['PAID', 'SHIPPED']);
    expect(ends).toEqual([]);
    fake.end();
    await tick();
    expect(ends).toEqual([undefined]);
  });

  it('hands on the error the SDK gave up with', async () => {
    const fake = fakeSubscription<string>();
    const ends: unknown[] = [];
    follow(fake.subscription, { onEvent: () => undefined, onEnd: (error) => ends.push(error) });
    const refused = new ShopError([{ message: 'not yours', code: 'FORBIDDEN' }], null, 200);
    fake.fail(refused);
    await tick();
    expect(ends).toEqual([refused]);
  });

  it('closes the stream when stopped, and hands on nothing after', async () => {
    const fake = fakeSubscription<string>();
    const events: string[] = [];
    const ends: unknown[] = [];
    const stop = follow(fake.subscription, { onEvent: (data) => events.push(data), onEnd: (error) => ends.push(error) });
    fake.push('PAID');
    await tick();
    stop();
    expect(fake.closed()).toBeGreaterThanOrEqual(1);
    fake.push('SHIPPED');
    fake.fail(new Error('late'));
    await tick();
    expect(events).toEqual(['PAID']);
    expect(ends).toEqual([]);
  });
});
