import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate } from '@graphql-codegen/cli';
import config from '../codegen.js';
import { apiSchemaOf, composeSubgraphs, readSubgraphs } from '../scripts/supergraph.js';
import { ROOT } from '../scripts/root.js';

describe('generated code', () => {
  it('matches what codegen makes from the schemas and SDK operations now (run `npm run codegen` when this fails)', async () => {
    const outputs: { filename: string; content: string }[] = await generate({ ...config, cwd: ROOT, silent: true }, false);
    const filenames = outputs.map((output) => output.filename);
    for (const target of Object.keys(config.generates)) expect(filenames.some((filename) => filename.startsWith(target))).toBe(true);
    expect(filenames).toContain('sdk/src/__generated__/persisted-documents.json');
    for (const output of outputs) {
      const committed = await readFile(resolve(ROOT, output.filename), 'utf8').catch(() => '(missing)');
      expect(committed, output.filename).toBe(output.content);
    }
  });
});

describe('the SDK against a changed schema', () => {
  it('fails to generate, naming the field, when a subgraph renames a field its operations use', async () => {
    const subgraphs = (await readSubgraphs()).map((subgraph) =>
      subgraph.name === 'products' ? { ...subgraph, sdl: subgraph.sdl.replace('  name: String!', '  title: String!') } : subgraph,
    );
    const renamedApi = apiSchemaOf(composeSubgraphs(subgraphs));
    expect(renamedApi).toMatch(/type Product \{[^}]*title: String!/);
    const sdkOnly = Object.fromEntries(
      Object.entries(config.generates)
        .filter(([target]) => target.startsWith('sdk/'))
        .map(([target, output]) => [target, { ...(output as Exclude<typeof output, unknown[]>), schema: renamedApi }]),
    );
    await expect(generate({ ...config, generates: sdkOnly, cwd: ROOT, silent: true }, false)).rejects.toThrow(/Cannot query field "name" on type "Product"/);
  });
});
