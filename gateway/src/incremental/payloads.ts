import type { FormattedExecutionResult, GraphQLError, GraphQLFormattedError } from 'graphql';
import type { CompletedFragment, Delivery, PendingFragment } from './deferred-execution.js';

/**
 * The shapes a response in parts is sent in: Apollo's `deferSpec=20220824` (Apollo Client's
 * Defer20220824Handler, Apollo Router; also GraphQL over SSE's, as graphql-yoga sends it) and
 * `incrementalSpec=v0.2` (graphql-js 17's, Apollo Client's GraphQL17Alpha9Handler), which
 * announces each deferred fragment as `pending` and ends it as `completed`.
 */
export type IncrementalFormat = 'deferSpec=20220824' | 'incrementalSpec=v0.2';

export type Payload = Record<string, unknown>;

/** The first part: the answer without the deferred fragments, and what is still to come. */
export function initialPayload(format: IncrementalFormat, result: FormattedExecutionResult, pending: readonly PendingFragment[]): Payload {
  const hasNext = pending.length > 0;
  if (format === 'deferSpec=20220824') return { ...result, hasNext };
  return { ...result, ...(hasNext ? { pending: pending.map(announced) } : {}), hasNext };
}

/** A later part: one deferred fragment's data at each place it applies, its errors formatted by `format`. */
export function subsequentPayload(format: IncrementalFormat, delivery: Delivery, formatError: (error: GraphQLError) => GraphQLFormattedError): Payload {
  const errorsOf = (entry: CompletedFragment) => (entry.errors.length > 0 ? { errors: entry.errors.map(formatError) } : {});
  if (format === 'deferSpec=20220824') {
    const incremental = delivery.completed
      .filter((entry) => entry.data !== undefined)
      .map((entry) => ({ data: entry.data, path: entry.pending.path, ...(entry.pending.label !== undefined ? { label: entry.pending.label } : {}), ...errorsOf(entry) }));
    return { ...(incremental.length > 0 ? { incremental } : {}), hasNext: delivery.hasNext };
  }
  const incremental = delivery.completed.filter((entry) => entry.data !== undefined && entry.data !== null).map((entry) => ({ id: entry.pending.id, data: entry.data, ...errorsOf(entry) }));
  // A fragment whose object an error took is completed with the errors, and no data.
  const completed = delivery.completed.map((entry) => (entry.data === null ? { id: entry.pending.id, ...errorsOf(entry) } : { id: entry.pending.id }));
  return {
    ...(delivery.pending.length > 0 ? { pending: delivery.pending.map(announced) } : {}),
    ...(incremental.length > 0 ? { incremental } : {}),
    completed,
    hasNext: delivery.hasNext,
  };
}

const announced = (pending: PendingFragment) => ({ id: pending.id, path: pending.path, ...(pending.label !== undefined ? { label: pending.label } : {}) });
