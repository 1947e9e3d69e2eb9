import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SUBGRAPH_NAMES } from '@shop/service-kit/definitions';
import { SUBGRAPH_SERVICES } from '../scripts/services.js';

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');

describe("each subgraph's Node flags", () => {
  it.each(SUBGRAPH_NAMES)('%s runs with its definition’s flags from npm scripts, its package and the Dockerfile', (name) => {
    const { nodeFlags } = SUBGRAPH_SERVICES[name];
    expect(nodeFlags).toContain('--liftoff-only');
    const flagsOf = (command: string) => command.split(/\s+/).filter((word) => word.startsWith('--') && !word.startsWith('--import') && !word.startsWith('--conditions'));
    const root = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    expect(flagsOf(root.scripts[`start:${name}`]!)).toEqual(nodeFlags);
    const own = JSON.parse(read(`subgraphs/${name}/package.json`)) as { scripts: Record<string, string> };
    expect(flagsOf(own.scripts.start!)).toEqual(nodeFlags);
    const stage = read('Dockerfile').split(/^FROM /m).find((part) => part.includes(` AS ${name}\n`))!;
    const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(stage)![1]!) as string[];
    expect(cmd.filter((word) => word.startsWith('--'))).toEqual(nodeFlags);
  });
});
