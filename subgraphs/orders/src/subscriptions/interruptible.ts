/**
 * `generator`, whose `return()` (the client left) takes effect at once: it calls `interrupt` first
 * (aborting what the generator awaits: a NATS consumer, the outbox), so the generator wakes and
 * ends. Without it an async generator's `return()` waits for its next `yield`, which for a quiet
 * order could be never, and the consumer behind it would stay open.
 */
export function interruptible<T>(generator: AsyncGenerator<T, void>, interrupt: () => void): AsyncIterableIterator<T> {
  return {
    next: () => generator.next(),
    return: async () => {
      interrupt();
      return generator.return(undefined);
    },
    throw: async (error: unknown) => {
      interrupt();
      return generator.throw(error);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
