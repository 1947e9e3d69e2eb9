import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { API_SCHEMA_FILE, apiSchemaOf, composeSubgraphs, composeSupergraph, readSubgraphs, SUPERGRAPH_FILE } from '../scripts/supergraph.js';

describe('supergraph composition', () => {
  it('composes without errors into exactly the committed supergraph.graphql (run `npm run compose` when this fails)', async () => {
    expect(await composeSupergraph()).toBe(await readFile(SUPERGRAPH_FILE, 'utf8'));
  });

  it('gives the SDK exactly the committed public API schema, without internal operations (run `npm run compose` when this fails)', async () => {
    const apiSchema = apiSchemaOf(await readFile(SUPERGRAPH_FILE, 'utf8'));
    expect(apiSchema).toBe(await readFile(API_SCHEMA_FILE, 'utf8'));
    expect(apiSchema).toContain('createOrder(');
    expect(apiSchema).not.toMatch(/reserveStock|stockReservation|@join__/);
  });

  it('reports an error when two subgraphs disagree', async () => {
    const subgraphs = await readSubgraphs();
    const broken = subgraphs.map((subgraph) =>
      subgraph.name === 'orders' ? { ...subgraph, sdl: subgraph.sdl.replace('type Money @shareable {', 'type Money {') } : subgraph,
    );
    expect(broken).not.toEqual(subgraphs);
    expect(() => composeSubgraphs(broken)).toThrow(/Composition failed[\s\S]*Money/);
  });
});
