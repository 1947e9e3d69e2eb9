import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { gatewayNodeFlags } from '../stack.js';

describe("the gateway's Node flags", () => {
  it('bound the heap, and the Dockerfile sets the same ones as `npm start` (which the bench runs)', () => {
    const flags = gatewayNodeFlags();
    expect(flags.some((flag) => flag.startsWith('--max-old-space-size='))).toBe(true);
    const dockerfile = readFileSync(new URL('../../Dockerfile', import.meta.url), 'utf8');
    const gatewayStage = dockerfile.slice(dockerfile.indexOf('FROM runtime AS gateway'));
    expect(/NODE_OPTIONS="([^"]*)"/.exec(gatewayStage)?.[1]?.split(' ')).toEqual(flags);
  });
});
