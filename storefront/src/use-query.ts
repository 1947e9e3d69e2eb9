import { useCallback, useEffect, useState } from 'preact/hooks';
import { ShopError } from '@shop/sdk';
import { messageFor } from './messages.js';

export interface QueryState<T> {
  data?: T;
  /** Why there is no data: a message for the shopper. */
  error?: string;
  /** Data is shown, but some of it is missing (a service down): what is missing, for the shopper. */
  notice?: string;
  loading: boolean;
  reload(): void;
}

/**
 * Runs a read of the shop and keeps its answer for the page. When only some services answered
 * (SERVICE_UNAVAILABLE on some paths, the rest present) the partial data is shown with a notice
 * saying what is missing, rather than an error instead of the page.
 */
export function useQuery<T>(run: () => Promise<T>, deps: readonly unknown[]): QueryState<T> {
  const [state, setState] = useState<Omit<QueryState<T>, 'reload'>>({ loading: true });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    let current = true;
    setState((previous) => ({ ...previous, loading: true }));
    run().then(
      (data) => {
        if (current) setState({ data, loading: false });
      },
      (error: unknown) => {
        if (!current) return;
        const partial = partialAnswer(error);
        setState(partial ? { data: partial.data as T, notice: messageFor(error, { action: 'load' }), loading: false } : { error: messageFor(error, { action: 'load' }), loading: false });
      },
    );
    return () => {
      current = false;
    };
    // `run` is a new closure each render; `deps` say when what it reads has changed.
  }, [...deps, generation]);
  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  return { ...state, reload };
}

/**
 * The SDK's partial result in a ShopError whose every error is SERVICE_UNAVAILABLE: the query's own
 * shape, with null where a service could not answer (those fields are nullable in the API
 * precisely for this); undefined for any other failure.
 */
export function partialAnswer(error: unknown): { data: unknown } | undefined {
  if (error instanceof ShopError && error.data !== null && error.errors.every((e) => e.code === 'SERVICE_UNAVAILABLE')) return { data: error.data };
  return undefined;
}
