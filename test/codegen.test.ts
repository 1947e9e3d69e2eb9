import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate } from '@graphql-codegen/cli';
import config from '../codegen.js';
import { ROOT } from '../scripts/supergraph.js';

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
