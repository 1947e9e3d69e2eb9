import type { Logger, Viewer } from '@shop/service-kit';

/** What a policy may look at to decide: who asks (from the verified token), and how. */
export interface PolicyRequest {
  viewer: Viewer | null;
  headers: { get(name: string): string | undefined };
  clientAddress: string;
  /** Aborted once the gateway stops waiting (POLICY_TIMEOUT_MS): a policy that calls out should pass it on. */
  signal: AbortSignal;
}

/** Decides one `@policy` name for one request: true grants it. */
export type Policy = (request: PolicyRequest) => boolean | Promise<boolean>;

/** The policies a gateway decides, by the names the supergraph's `@policy` directives use. */
export type Policies = Readonly<Record<string, Policy>>;

export type DecidePolicies = (names: readonly string[], request: Omit<PolicyRequest, 'signal'>) => Promise<ReadonlySet<string>>;

/**
 * Decides the policies among `names` for one request: the set granted. A name no function
 * decides, a function that throws and one that has not answered within `timeoutMs` all count as
 * denied: access is granted only by a decision.
 */
export function policyDecider(options: { policies: Policies; timeoutMs: number; logger: Logger }): DecidePolicies {
  const { policies, timeoutMs, logger } = options;
  // Said once per name rather than per request: the supergraph names it until someone registers it.
  const undecided = new Set<string>();
  return async (names, request) => {
    if (names.length === 0) return new Set();
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => {
        controller.abort(new Error(`no policy decision within ${timeoutMs} ms`));
        resolve('timeout');
      }, timeoutMs);
    });
    const decide = async (name: string): Promise<boolean> => {
      const policy = Object.hasOwn(policies, name) ? policies[name] : undefined;
      if (!policy) {
        if (!undecided.has(name)) logger.warn({ policy: name }, 'no function decides this @policy: it is denied to everyone');
        undecided.add(name);
        return false;
      }
      try {
        // unknown: a policy written in JavaScript may answer anything, and only `true` grants.
        const decision: unknown = await Promise.race([Promise.resolve().then(() => policy({ ...request, signal: controller.signal })), timedOut]);
        if (decision === 'timeout') {
          logger.warn({ policy: name, timeoutMs }, 'a @policy was not decided in time: it is denied');
          return false;
        }
        return decision === true;
      } catch (error) {
        logger.error({ err: error, policy: name }, 'a @policy function failed: it is denied');
        return false;
      }
    };
    try {
      const decisions = await Promise.all(names.map(async (name) => [name, await decide(name)] as const));
      return new Set(decisions.filter(([, granted]) => granted).map(([name]) => name));
    } finally {
      clearTimeout(timer);
    }
  };
}
