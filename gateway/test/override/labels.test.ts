import { Supergraph } from '@apollo/federation-internals';
import { describe, expect, it } from 'vitest';
import { MAX_CONFIGURED_LABELS, overrideLabelsEnv, overrideLabelsOf, percentOf } from '../../src/override/labels.js';
import { composeMovingParcels, ETA_LABEL, STATUS_LABEL } from '../../../test/support/moving-parcels.js';
import { composeSupergraph } from '../../../scripts/supergraph.js';
import { SUPPORTED_SUPERGRAPH_FEATURES } from '../../src/authorization/supergraph-features.js';
import { loadConfig } from '../../src/config.js';

const URLS = { legacy: 'http://legacy.invalid/graphql', modern: 'http://modern.invalid/graphql' };

describe('override labels', () => {
  it("reads every @override label a supergraph carries, where the planner reads them (join__field's overrideLabel)", async () => {
    expect(overrideLabelsOf(Supergraph.build(composeMovingParcels(URLS)).schema)).toEqual([ETA_LABEL, STATUS_LABEL].sort());
    // The shop's supergraph moves nothing.
    expect(overrideLabelsOf(Supergraph.build(await composeSupergraph(), { supportedFeatures: SUPPORTED_SUPERGRAPH_FEATURES }).schema)).toEqual([]);
  });

  it('reads the share of a percent(x) label as composition accepts it, and no share of any other', () => {
    expect(percentOf('percent(25)')).toBe(25);
    expect(percentOf('percent(0.5)')).toBe(0.5);
    expect(percentOf('percent(100)')).toBe(100);
    expect(percentOf('percent(0)')).toBe(0);
    expect(percentOf('percent(101)')).toBeUndefined();
    expect(percentOf('percent(25')).toBeUndefined();
    expect(percentOf(ETA_LABEL)).toBeUndefined();
  });

  it('takes OVERRIDE_LABELS as a bounded list of named labels, refusing a percentage', () => {
    expect(overrideLabelsEnv.parse(' eta-from-modern, billing:v2 ,,eta-from-modern')).toEqual(['eta-from-modern', 'billing:v2']);
    expect(overrideLabelsEnv.safeParse('percent(25)').success).toBe(false);
    expect(overrideLabelsEnv.safeParse('9lives').success).toBe(false);
    expect(overrideLabelsEnv.safeParse('a'.repeat(65)).success).toBe(false);
    expect(overrideLabelsEnv.safeParse(Array.from({ length: MAX_CONFIGURED_LABELS + 1 }, (_, index) => `label${index}`).join(',')).success).toBe(false);
    expect(overrideLabelsEnv.safeParse(Array.from({ length: MAX_CONFIGURED_LABELS }, (_, index) => `label${index}`).join(',')).success).toBe(true);
  });

  it('is read by the gateway, none by default, and names the problem at start', () => {
    expect(loadConfig({}).OVERRIDE_LABELS).toEqual([]);
    expect(loadConfig({ OVERRIDE_LABELS: 'eta-from-modern' }).OVERRIDE_LABELS).toEqual(['eta-from-modern']);
    expect(() => loadConfig({ OVERRIDE_LABELS: 'percent(25)' })).toThrow(/OVERRIDE_LABELS.*decided per shopper/);
  });
});
