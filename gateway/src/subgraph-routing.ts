import { beneath } from '@shop/service-kit';

/**
 * Where the gateway sends each subgraph's fetches: the supergraph's own routing URL (its
 * `join__graph(url:)`) unless an override names that subgraph.
 *
 * - `SUBGRAPH_<NAME>_URL`: the subgraph's GraphQL endpoint, used exactly as given (path and query
 *   included). `<NAME>` is the subgraph's name in capitals, any character other than a letter or
 *   digit written `_` (`inventory-v2` → `SUBGRAPH_INVENTORY_V2_URL`).
 * - `USERS_URL`, `PRODUCTS_URL`, `ORDERS_URL`: the shop's services' base URLs, which orders and the
 *   gateway's token check also read; the subgraph is served at `graphql` below that base.
 */
export interface SubgraphOverrides {
  /** By variable name (`SUBGRAPH_USERS_URL`): the full endpoint. */
  readonly endpoints: Readonly<Record<string, string>>;
  /** By subgraph name (`users`): a service base URL. */
  readonly bases: Readonly<Record<string, string>>;
}

export const NO_OVERRIDES: SubgraphOverrides = { endpoints: {}, bases: {} };

/** A variable that overrides one subgraph's endpoint. */
export const ENDPOINT_OVERRIDE = /^SUBGRAPH_[A-Z0-9_]+_URL$/;

export const endpointVariable = (subgraph: string) => `SUBGRAPH_${subgraph.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_URL`;


/** Each subgraph's endpoint, by name; throws when two names share one override variable that is set. */
export function routeSubgraphs(subgraphs: readonly { name: string; url: string | undefined }[], overrides: SubgraphOverrides): Map<string, string> {
  const owners = new Map<string, string>();
  for (const { name } of subgraphs) {
    const variable = endpointVariable(name);
    const other = owners.get(variable);
    if (other !== undefined && overrides.endpoints[variable] !== undefined) {
      throw new Error(`${variable} would override both subgraph "${other}" and subgraph "${name}"; rename one of them`);
    }
    owners.set(variable, name);
  }
  return new Map(
    subgraphs.map(({ name, url }) => {
      const endpoint = overrides.endpoints[endpointVariable(name)];
      const base = overrides.bases[name];
      const routed = endpoint ?? (base === undefined ? url : beneath(base, 'graphql'));
      if (!routed) throw new Error(`subgraph "${name}" has no routing URL in the supergraph; set ${endpointVariable(name)}`);
      return [name, routed];
    }),
  );
}

/** Override variables that name no subgraph of the supergraph: most likely a typo. */
export function unusedOverrides(subgraphs: readonly { name: string }[], overrides: SubgraphOverrides): string[] {
  const variables = new Set(subgraphs.map(({ name }) => endpointVariable(name)));
  return Object.keys(overrides.endpoints).filter((variable) => !variables.has(variable));
}
