import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate } from '@graphql-codegen/cli';
import config from '../codegen.js';
import { ROOT } from '../scripts/supergraph.js';

describe('generated resolver types', () => {
  it('match what codegen makes from the schemas now (run `npm run codegen` when this fails)', async () => {
    const outputs = await generate({ ...config, cwd: ROOT, silent: true }, false);
    expect(outputs.length).toBe(Object.keys(config.generates).length);
    for (const output of outputs) {
      const committed = await readFile(resolve(ROOT, output.filename), 'utf8').catch(() => '(missing)');
      expect(committed, output.filename).toBe(output.content);
    }
  });
});
