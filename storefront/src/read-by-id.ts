import { ShopError, type AnswerInParts, type PartsRequest } from '@shop/sdk';

/**
 * The shop refuses an id that is not one it makes (BAD_USER_INPUT on `id`) before looking it up.
 * To a shopper, a mistyped or truncated link is a page that is not there, as an unknown id is,
 * not an entry of theirs to correct.
 */
export function isMalformedId(error: unknown): boolean {
  return error instanceof ShopError && error.code === 'BAD_USER_INPUT' && error.field === 'id';
}

/**
 * A page's read of the thing its link names: a malformed id answers as an unknown one does
 * (`unknown`: the query's answer with the thing null), so the page shows its "not found".
 */
export function readById<T>(read: Promise<T>, unknown: T): Promise<T> {
  return read.catch((error: unknown) => {
    if (isMalformedId(error)) return unknown;
    throw error;
  });
}

/** readById for a read in parts (`requestInParts`): a malformed id answers, complete, as an unknown one does. */
export function readPartsById<T>(read: PartsRequest<T>, unknown: T): PartsRequest<T> {
  async function* guarded(): AsyncGenerator<AnswerInParts<T>, void, undefined> {
    try {
      yield* read;
    } catch (error) {
      if (!isMalformedId(error)) throw error;
      yield { data: unknown, complete: true };
    }
  }
  return Object.assign(guarded(), { close: () => read.close() });
}
