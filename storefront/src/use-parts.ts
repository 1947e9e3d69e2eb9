import { useCallback, useEffect, useState } from 'preact/hooks';
import type { PartsRequest } from '@shop/sdk';
import { partialAnswer } from './use-query.js';
import { messageFor } from './messages.js';

export interface PartsState<T> {
  data?: T;
  /** Whether every part has come (the deferred fields are all there, or known missing). */
  complete: boolean;
  /** Why there is no data: a message for the shopper. */
  error?: string;
  /** Data is shown, but some of it is missing (a service down): what is missing, for the shopper. */
  notice?: string;
  reload(): void;
}

/**
 * Runs a read of the shop in parts (`requestInParts`, an operation with @defer) and keeps the data
 * so far for the page: shown at the first part, filled in as each later one comes. A service down
 * in a later part leaves the data with a notice saying what is missing, as useQuery does; so does
 * a stream cut after the first part (what was shown stays). Leaving the page, or the deps
 * changing, closes the read at once, even while a slow part is awaited.
 */
export function useParts<T>(open: () => PartsRequest<T>, deps: readonly unknown[]): PartsState<T> {
  const [state, setState] = useState<Omit<PartsState<T>, 'reload'>>({ complete: false });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    let current = true;
    setState((previous) => ({ ...previous, complete: false }));
    const parts = open();
    // A function of its own, not one called in place: `current` changes under it when the page moves on.
    const read = async () => {
      let shown: T | undefined;
      try {
        for await (const { data, complete } of parts) {
          if (!current) return;
          shown = data;
          setState({ data, complete });
        }
      } catch (error) {
        if (!current) return;
        const partial = partialAnswer(error);
        const notice = messageFor(error, { action: 'load' });
        if (partial) setState({ data: partial.data as T, notice, complete: true });
        else if (shown !== undefined) setState({ data: shown, notice, complete: true });
        else setState({ error: notice, complete: true });
      }
    };
    void read();
    return () => {
      current = false;
      parts.close();
    };
    // `run` is a new closure each render; `deps` say when what it reads has changed.
  }, [...deps, generation]);
  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  return { ...state, reload };
}
