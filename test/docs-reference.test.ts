import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { apiReference, API_REFERENCE_FILE } from '../scripts/api-reference.js';
import {
  configurationProblems,
  configurationReference,
  CONFIGURATION_REFERENCE_FILE,
  ENV_EXAMPLE_FILE,
  parseEnvExample,
  readConfigurationSchemas,
} from '../scripts/configuration-reference.js';
import { ROOT } from '../scripts/root.js';

describe('generated references', () => {
  it('are what the schemas, .env.example and the API contract make now (run `npm run docs:reference` when this fails)', async () => {
    const pages = [
      { file: CONFIGURATION_REFERENCE_FILE, generated: (await configurationReference()).markdown },
      { file: API_REFERENCE_FILE, generated: await apiReference() },
    ];
    for (const { file, generated } of pages) {
      const committed = await readFile(file, 'utf8').catch(() => '(missing)');
      expect(committed, `${relative(ROOT, file)} is out of date: run \`npm run docs:reference\``).toBe(generated);
    }
  });

  it('lists every operation of the contract and every variable of every schema', async () => {
    const api = await readFile(API_REFERENCE_FILE, 'utf8');
    expect(api).toContain('### createOrder {#mutation-createorder}');
    expect(api).toContain('| `CANCELLED` |');
    const configuration = await readFile(CONFIGURATION_REFERENCE_FILE, 'utf8');
    const schemas = readConfigurationSchemas();
    for (const shape of [...Object.values(schemas.services), schemas.tracing]) {
      for (const name of Object.keys(shape)) expect(configuration).toContain(`\`${name}\``);
    }
    expect(configuration).toMatch(/\| `MAX_OPEN_ORDERS_PER_CUSTOMER` \| integer 1–1000000 \| `20` \| How many open orders/);
  });
});

describe('the configuration schemas against .env.example', () => {
  const read = async () => ({ schemas: readConfigurationSchemas(), sections: parseEnvExample(await readFile(ENV_EXAMPLE_FILE, 'utf8')) });

  it('agree: every variable a service reads is described, and every one described is read', async () => {
    const { schemas, sections } = await read();
    expect(configurationProblems(schemas, sections)).toEqual([]);
  });

  it('disagree, naming it, when a schema reads a variable .env.example does not describe', async () => {
    const { schemas, sections } = await read();
    const orders = { ...schemas.services.orders, ORDER_NOTES_MAX: z.coerce.number().int().default(5) };
    expect(configurationProblems({ ...schemas, services: { ...schemas.services, orders } }, sections)).toContainEqual(
      expect.stringMatching(/^orders reads ORDER_NOTES_MAX, which \.env\.example does not describe/),
    );
  });

  it('disagree when .env.example describes a variable no service reads, or states another default than the schema', async () => {
    const { schemas } = await read();
    const text = (await readFile(ENV_EXAMPLE_FILE, 'utf8'))
      .replace('# PRODUCTS_TIMEOUT_MS=3000\n', '# PRODUCTS_TIMEOUT_MS=3000\n# Retired long ago.\n# PRODUCTS_RETRIES=3\n')
      .replace('SERVICE_UNAVAILABLE. Default: 3000\n# PRODUCTS_TIMEOUT_MS', 'SERVICE_UNAVAILABLE. Default: 2500\n# PRODUCTS_TIMEOUT_MS');
    const problems = configurationProblems(schemas, parseEnvExample(text));
    expect(problems).toContain('.env.example describes PRODUCTS_RETRIES under orders, which orders does not read');
    expect(problems).toContain(".env.example says PRODUCTS_TIMEOUT_MS defaults to 2500, but the orders schema's default is 3000");
  });
});
