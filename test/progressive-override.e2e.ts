import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatewayFromConfig, gatewayService } from '../gateway/src/service.js';
import { shareOf } from '../gateway/src/override/decide.js';
import { graphql } from './support/graphql.js';
import { testLogger } from './support/logger.js';
import { signToken } from './support/tokens.js';
import { ETA_LABEL, PARCEL_IDS, STATUS_LABEL, startMovingParcels, type MovingParcels } from './support/moving-parcels.js';

/*
 * Federation's progressive override through the real gateway, on a supergraph that is not the
 * shop's (test/support/moving-parcels.ts): `Parcel.status` moves from `legacy` to `modern` for
 * 25% of users, `Parcel.eta` for everyone once OVERRIDE_LABELS names its label. @apollo/gateway
 * alone resolves both from `legacy` whatever the label (federation#2979).
 */

/** Users the percentage puts on the new subgraph, and one it leaves on the old. */
const users = Array.from({ length: 400 }, (_, index) => `shopper-${index}`);
const ON = users.find((id) => shareOf(`user:${id}`) < 25)!;
const OFF = users.find((id) => shareOf(`user:${id}`) >= 25)!;

describe('progressive override through the gateway', () => {
  let parcels: MovingParcels;
  let gateway: Awaited<ReturnType<typeof createGatewayFromConfig>>;
  let baseUrl: string;
  let supergraphPath: string;
  const tokens: Record<string, string> = {};
  const stops: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    process.env.APOLLO_TELEMETRY_DISABLED = 'true';
    parcels = await startMovingParcels();
    stops.push(() => parcels.close());
    const dir = await mkdtemp(join(tmpdir(), 'moving-parcels-'));
    stops.push(() => rm(dir, { recursive: true, force: true }));
    supergraphPath = join(dir, 'supergraph.graphql');
    await writeFile(supergraphPath, parcels.supergraph);
    // Tokens signed here, verified with the key given inline (JWKS): who a user is decides their share.
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const kid = 'moving-parcels';
    for (const user of [ON, OFF]) tokens[user] = await signToken(privateKey, kid, { sub: user, role: 'CUSTOMER' });
    const config = await gatewayService.loadConfig({
      NODE_ENV: 'test',
      METRICS_PORT: '0',
      RATE_LIMIT_REQUESTS: '1000000',
      SUPERGRAPH_PATH: supergraphPath,
      JWKS: JSON.stringify({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'EdDSA', use: 'sig' }] }),
      OVERRIDE_LABELS: ETA_LABEL,
    });
    gateway = await createGatewayFromConfig(config, testLogger('gateway'), {});
    stops.push(() => gateway.stop());
    baseUrl = await gateway.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    for (const stop of stops.reverse()) await stop();
  });

  /** Which subgraph resolved `field` of every parcel for `user`, and which subgraphs were asked at all. */
  async function resolvedBy(field: 'status' | 'eta', user: string) {
    parcels.forget();
    const response = await graphql<{ parcels: Record<string, string>[] }>(baseUrl, `{ parcels { id ${field} } }`, { token: tokens[user]! });
    expect(response.errors).toBeUndefined();
    expect(response.data?.parcels.map((parcel) => parcel.id)).toEqual(PARCEL_IDS);
    const by = new Set(response.data?.parcels.map((parcel) => parcel[field]!.split(':')[0]));
    expect(by.size).toBe(1);
    return { by: [...by][0], asked: { legacy: parcels.received.legacy.length, modern: parcels.received.modern.length } };
  }

  it('resolves a labelled override whose label is on from the new subgraph (federation#2979)', async () => {
    expect(await resolvedBy('status', ON)).toEqual({ by: 'modern', asked: { legacy: 1, modern: 1 } });
    // A configured label: on for every user.
    expect(await resolvedBy('eta', OFF)).toEqual({ by: 'modern', asked: { legacy: 1, modern: 1 } });
  });

  it('resolves it from the old subgraph when its label is off, asking the new one nothing', async () => {
    expect(await resolvedBy('status', OFF)).toEqual({ by: 'legacy', asked: { legacy: 1, modern: 0 } });
  });

  it('keeps each user on their subgraph over consecutive requests', async () => {
    for (let request = 0; request < 20; request += 1) {
      expect((await resolvedBy('status', ON)).by).toBe('modern');
      expect((await resolvedBy('status', OFF)).by).toBe('legacy');
    }
  });

  it('moves everyone once the supergraph raises the percentage, without a restart', async () => {
    await writeFile(supergraphPath, parcels.supergraph.replaceAll(`"${STATUS_LABEL}"`, '"percent(100)"'));
    await gateway.reloadSupergraph();
    expect(await resolvedBy('status', OFF)).toEqual({ by: 'modern', asked: { legacy: 1, modern: 1 } });
    expect((await resolvedBy('status', ON)).by).toBe('modern');
  });
});
