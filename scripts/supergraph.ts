import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { parse } from 'graphql';
import { composeServices } from '@apollo/composition';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const SUPERGRAPH_FILE = resolve(ROOT, 'supergraph.graphql');
const CONFIG_FILE = resolve(ROOT, 'supergraph.yaml');

interface SupergraphConfig {
  subgraphs: Record<string, { routing_url: string; schema: { file: string } }>;
}

export interface SubgraphSource {
  name: string;
  url: string;
  sdl: string;
}

/** The subgraphs named in supergraph.yaml, with their schema files read. */
export async function readSubgraphs(): Promise<SubgraphSource[]> {
  const config = parseYaml(await readFile(CONFIG_FILE, 'utf8')) as SupergraphConfig;
  return Promise.all(
    Object.entries(config.subgraphs).map(async ([name, subgraph]) => ({
      name,
      url: subgraph.routing_url,
      sdl: await readFile(resolve(ROOT, subgraph.schema.file), 'utf8'),
    })),
  );
}

/** Composes the supergraph of supergraph.yaml; throws with every composition error. */
export async function composeSupergraph(): Promise<string> {
  return composeSubgraphs(await readSubgraphs());
}

export function composeSubgraphs(subgraphs: SubgraphSource[]): string {
  const result = composeServices(subgraphs.map(({ name, url, sdl }) => ({ name, url, typeDefs: parse(sdl) })));
  if (result.errors) {
    throw new Error(`Composition failed:\n${result.errors.map((error) => `  - ${error.message}`).join('\n')}`);
  }
  return result.supergraphSdl;
}
