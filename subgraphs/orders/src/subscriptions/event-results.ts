import { createSourceEventStream, execute, type ExecutionArgs, type ExecutionResult } from 'graphql';

/**
 * What a subscription's source event carries for its client beyond the data: the id to resume
 * from (`eventId`) and when the change it announces was committed (`committedAt`, ISO 8601), each
 * a string, when the event has it.
 */
function eventExtensionsOf(event: unknown): { eventId?: string; committedAt?: string } | undefined {
  if (typeof event !== 'object' || event === null) return undefined;
  const extensions = {
    ...('eventId' in event && typeof event.eventId === 'string' ? { eventId: event.eventId } : {}),
    ...('committedAt' in event && typeof event.committedAt === 'string' ? { committedAt: event.committedAt } : {}),
  };
  return Object.keys(extensions).length > 0 ? extensions : undefined;
}

/**
 * graphql-js's `subscribe`, with two differences. Each event is executed with a context of its own
 * (`eventContext`: the subscription's with fresh loaders, else an order's history read for one
 * event would be served again for the next). And a source event carrying an `eventId` gives its
 * result `extensions.eventId`, where clients read the id to resume from (the SSE endpoint sends it
 * as the event's `id:` too), and one carrying `committedAt` gives `extensions.committedAt`, from
 * which a gateway measures the time from the commit to the delivery. Subscribe-time errors come
 * back as one result, as graphql-js's do.
 */
export function subscribeWithEventIds<Context>(eventContext: (subscription: Context) => Context) {
  return async (args: ExecutionArgs & { contextValue: Context }): Promise<ExecutionResult | AsyncIterableIterator<ExecutionResult>> => {
    const source = await createSourceEventStream(args);
    if (!(Symbol.asyncIterator in source)) return source;
    return mapEvents(source, async (event) => {
      const result = await execute({ ...args, rootValue: event, contextValue: eventContext(args.contextValue) });
      const extensions = eventExtensionsOf(event);
      return extensions === undefined ? result : { ...result, extensions: { ...result.extensions, ...extensions } };
    });
  };
}

/**
 * `source`'s events through `map`, one at a time; `return()` goes straight to the source (which
 * ends its stream at once: interruptible.ts), as graphql-js's own mapping does.
 */
function mapEvents<Event, Mapped>(source: AsyncIterable<Event>, map: (event: Event) => Promise<Mapped>): AsyncIterableIterator<Mapped> {
  const events = source[Symbol.asyncIterator]();
  const finish = async (): Promise<IteratorResult<Mapped>> => {
    await events.return?.();
    return { done: true, value: undefined };
  };
  return {
    async next() {
      const step = await events.next();
      return step.done ? { done: true, value: undefined } : { done: false, value: await map(step.value) };
    },
    return: finish,
    async throw(error: unknown) {
      await finish();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
