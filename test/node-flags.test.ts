import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SUBGRAPH_NAMES, type ServiceName } from '@shop/service-kit/definitions';
import { gatewayService, SUBGRAPH_SERVICES } from '../scripts/services.js';

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');
const scripts = (path: string) => (JSON.parse(read(path)) as { scripts: Record<string, string> }).scripts;
/** The Node flags of a command line, not the loader's. */
const flagsOf = (words: string[]) => words.filter((word) => word.startsWith('--') && !word.startsWith('--import') && !word.startsWith('--conditions'));
const folder = (name: ServiceName) => (name === 'gateway' ? 'gateway' : `subgraphs/${name}`);
/** The Dockerfile stage a service's image is built from: the gateway's own, or the one every subgraph shares. */
const dockerStage = (name: ServiceName) => {
  const stageName = name === 'gateway' ? 'gateway' : 'subgraph';
  return read('Dockerfile').split(/^FROM /m).find((part) => part.includes(` AS ${stageName}\n`))!;
};

describe("each service's Node flags", () => {
  it.each([...SUBGRAPH_NAMES, 'gateway'] as const)('%s runs with its definition’s flags from npm scripts, its package and the Dockerfile', (name) => {
    const { nodeFlags } = name === 'gateway' ? gatewayService : SUBGRAPH_SERVICES[name];
    expect(nodeFlags.length).toBeGreaterThan(0);
    expect(flagsOf(scripts('package.json')[`start:${name}`]!.split(/\s+/))).toEqual(nodeFlags);
    expect(flagsOf(scripts(`${folder(name)}/package.json`).start!.split(/\s+/))).toEqual(nodeFlags);
    const stage = dockerStage(name);
    const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(stage)![1]!) as string[];
    const nodeOptions = /NODE_OPTIONS="([^"]*)"/.exec(stage)?.[1]?.split(' ') ?? [];
    expect([...nodeOptions, ...flagsOf(cmd)]).toEqual(nodeFlags);
  });

  it('bound the gateway’s heap', () => {
    expect(gatewayService.nodeFlags.some((flag) => flag.startsWith('--max-old-space-size='))).toBe(true);
  });
});
