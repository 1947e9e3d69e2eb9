import { LocalGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import type { QueryPlanner } from '@apollo/query-planner';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { GatewayContext } from '../../src/context.js';
import { shareOf } from '../../src/override/decide.js';
import { overrideMetrics } from '../../src/override/override-metrics.js';
import { ReloadableGateway } from '../../src/reloadable-gateway.js';
import { testLogger } from '../../../test/support/logger.js';
import { composeMovingParcels, ETA_LABEL, parcelSubgraphSchema, PARCEL_IDS, STATUS_LABEL, type ParcelSubgraph } from '../../../test/support/moving-parcels.js';

process.env.APOLLO_TELEMETRY_DISABLED = 'true';
const SUPERGRAPH = composeMovingParcels({ legacy: 'http://legacy.invalid/graphql', modern: 'http://modern.invalid/graphql' });
const logger = testLogger('gateway');

/** Users the percentage puts on the new subgraph, and users it leaves on the old one. */
const usersWhere = (onModern: boolean) => Array.from({ length: 400 }, (_, index) => `u-${index}`).filter((id) => shareOf(`user:${id}`) < 25 === onModern);
const [ON, ON_TOO] = usersWhere(true);
const [OFF] = usersWhere(false);

/** The in-process gateway on the moving-parcels supergraph, its subgraphs answering in memory. */
async function startGateway(overrideLabels: string[] = []) {
  const gateway = new ReloadableGateway({
    source: { location: 'memory', read: () => Promise.resolve(SUPERGRAPH), watch: () => () => {} },
    overrides: { endpoints: {}, bases: {} },
    dataSource: (name) => new LocalGraphQLDataSource<GatewayContext>(parcelSubgraphSchema(name as ParcelSubgraph)),
    logger,
    overrideLabels,
  });
  const server = new ApolloServer<GatewayContext>({ gateway });
  await server.start();
  stops.push(() => server.stop());
  const ask = async (query: string, userId?: string) => {
    const response = await server.executeOperation(
      { query },
      { contextValue: { requestId: 'test', logger, clientAddress: '203.0.113.9', ...(userId ? { userId, viewer: { userId, scopes: [] } } : {}) } },
    );
    if (response.body.kind !== 'single') throw new Error('an incremental answer this test does not expect');
    expect(response.body.singleResult.errors).toBeUndefined();
    return response.body.singleResult.data as { parcels: { id: string; status?: string; eta?: string }[] };
  };
  /** The subgraph that resolved `field` for every parcel (each answers with its own name). */
  const resolvedBy = async (field: 'status' | 'eta', userId?: string) => {
    const { parcels } = await ask(`{ parcels { id ${field} } }`, userId);
    expect(parcels.map((parcel) => parcel.id)).toEqual(PARCEL_IDS);
    const subgraphs = new Set(parcels.map((parcel) => parcel[field]!.split(':')[0]));
    expect(subgraphs.size).toBe(1);
    return [...subgraphs][0];
  };
  const planner = () => (gateway.served() as unknown as { gateway: { queryPlanner: QueryPlanner } }).gateway.queryPlanner;
  return { resolvedBy, planner };
}
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

describe('progressive override through the gateway', () => {
  it('resolves a labelled override from the new subgraph when its label is on (federation#2979), from the old one when off', async () => {
    const { resolvedBy } = await startGateway();
    expect(await resolvedBy('status', ON)).toBe('modern');
    expect(await resolvedBy('status', OFF)).toBe('legacy');
    // Anonymous: decided by the address, the same way each time.
    const anonymous = await resolvedBy('status');
    expect(await resolvedBy('status')).toBe(anonymous);
  });

  it('gives one user the same subgraph on 100 consecutive requests', async () => {
    const { resolvedBy } = await startGateway();
    for (const [user, expected] of [[ON, 'modern'], [OFF, 'legacy']] as const) {
      const answers = new Set<string | undefined>();
      for (let request = 0; request < 100; request += 1) answers.add(await resolvedBy('status', user));
      expect([...answers]).toEqual([expected]);
    }
  });

  it('keys plans by the labels on: a plan made with a label off never serves a request with it on, and each label set is planned once', async () => {
    const { resolvedBy, planner } = await startGateway();
    const planning = vi.spyOn(planner(), 'buildQueryPlan');
    // The same document, alternately for users with the label on and off.
    expect(await resolvedBy('status', OFF)).toBe('legacy');
    expect(await resolvedBy('status', ON)).toBe('modern');
    expect(await resolvedBy('status', OFF)).toBe('legacy');
    expect(await resolvedBy('status', ON_TOO)).toBe('modern');
    expect(planning).toHaveBeenCalledTimes(2);
  });

  it('turns a named label on for everyone when configured (OVERRIDE_LABELS), and leaves it off otherwise', async () => {
    const configured = await startGateway([ETA_LABEL]);
    expect(await configured.resolvedBy('eta', OFF)).toBe('modern');
    expect(await configured.resolvedBy('eta')).toBe('modern');
    // The percentage is still decided per user beside it.
    expect(await configured.resolvedBy('status', OFF)).toBe('legacy');
    const unconfigured = await startGateway();
    expect(await unconfigured.resolvedBy('eta', ON)).toBe('legacy');
  });

  it('counts requests per label and outcome', async () => {
    const { requests } = overrideMetrics();
    const count = async (label: string, on: boolean) => (await requests.get()).values.find((value) => value.labels.label === label && value.labels.on === String(on))?.value ?? 0;
    const before = { statusOn: await count(STATUS_LABEL, true), statusOff: await count(STATUS_LABEL, false), etaOn: await count(ETA_LABEL, true) };
    const { resolvedBy } = await startGateway([ETA_LABEL]);
    await resolvedBy('status', ON);
    await resolvedBy('status', OFF);
    await resolvedBy('status', OFF);
    expect(await count(STATUS_LABEL, true)).toBe(before.statusOn + 1);
    expect(await count(STATUS_LABEL, false)).toBe(before.statusOff + 2);
    expect(await count(ETA_LABEL, true)).toBe(before.etaOn + 3);
  });
});
