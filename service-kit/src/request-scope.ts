import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The id of the request a piece of work serves, wherever it runs: every call a service makes to
 * another while answering a request carries it (service-client.ts), however deep the call is made.
 */
const requestIds = new AsyncLocalStorage<string>();

/** Runs `work`, and everything it starts, as part of the request `requestId`. */
export function inRequestScope<T>(requestId: string, work: () => T): T {
  return requestIds.run(requestId, work);
}

/** The id of the request being served; undefined outside one (start-up, the reconciler). */
export function currentRequestId(): string | undefined {
  return requestIds.getStore();
}
