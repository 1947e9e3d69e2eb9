import { describe, expect, it } from 'vitest';
import { ConfigError } from '@shop/service-kit';
import { DEFAULT_METRICS_PORTS, DEFAULT_PORTS } from '@shop/service-kit/definitions';
import { gatewayService, SUBGRAPH_SERVICES } from '../scripts/services.js';

const DEFINITIONS = [gatewayService, ...Object.values(SUBGRAPH_SERVICES)];

describe('METRICS_PORT', () => {
  it.each(DEFINITIONS.map((definition) => [definition.name, definition] as const))('defaults to the metrics port of %s', async (name, definition) => {
    const config = await definition.loadConfig({});
    expect(config.METRICS_PORT).toBe(DEFAULT_METRICS_PORTS[name]);
    expect(config.METRICS_PORT).not.toBe(DEFAULT_PORTS[name]);
  });

  it('gives every service a metrics port of its own, apart from every public port', () => {
    const ports = [...Object.values(DEFAULT_PORTS), ...Object.values(DEFAULT_METRICS_PORTS)];
    expect(new Set(ports).size).toBe(ports.length);
  });

  it.each(DEFINITIONS.map((definition) => [definition.name, definition] as const))('stops %s with the usual ConfigError when it is not a port', async (_name, definition) => {
    const loading = definition.loadConfig({ METRICS_PORT: 'nine-four-hundred' });
    await expect(loading).rejects.toBeInstanceOf(ConfigError);
    await expect(loading).rejects.toThrow(/^Invalid configuration:\n {2}- METRICS_PORT: /);
  });

  it.each(DEFINITIONS.map((definition) => [definition.name, definition] as const))('takes 0 for %s as serving no metrics', async (_name, definition) => {
    expect((await definition.loadConfig({ METRICS_PORT: '0' })).METRICS_PORT).toBe(0);
  });
});
