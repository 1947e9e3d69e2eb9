import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cruise, type ICruiseResult, type IForbiddenRuleType } from 'dependency-cruiser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * `npm run lint` runs these rules on the tree (lint:architecture); this shows each one catches the
 * import it is written against, on a small tree made for it: a rule that matched nothing would pass
 * on main just as well.
 */
const config = createRequire(import.meta.url)('../.dependency-cruiser.cjs') as { forbidden: IForbiddenRuleType[] };

/** One broken import per rule: the importing file, what it imports (a path from the tree's root). */
const BROKEN: Record<string, [from: string, to: string]> = {
  'no-circular': ['service-kit/src/config.ts', 'service-kit/src/definitions.ts'],
  'service-kit-is-a-library': ['service-kit/src/logger.ts', 'gateway/src/server.ts'],
  'subgraphs-stand-alone': ['subgraphs/orders/src/checkout.ts', 'subgraphs/products/src/stock.ts'],
  'gateway-knows-no-subgraph': ['gateway/src/plan.ts', 'subgraphs/users/src/tokens.ts'],
  'storefront-through-the-sdk': ['storefront/src/cart.tsx', 'service-kit/src/money.ts'],
  'sdk-stands-alone': ['sdk/src/client.ts', 'service-kit/src/errors.ts'],
  'no-source-imports-tooling': ['gateway/src/start.ts', 'scripts/root.ts'],
  'generated-code-stays-home': ['gateway/src/types.ts', 'subgraphs/orders/src/__generated__/resolvers-types.ts'],
};

/** What the same kinds of files may import: the layers' allowed directions. */
const ALLOWED: [from: string, to: string][] = [
  ['gateway/src/index.ts', 'service-kit/src/index.ts'],
  ['subgraphs/users/src/server.ts', 'service-kit/src/index.ts'],
  ['subgraphs/users/src/resolvers.ts', 'subgraphs/users/src/__generated__/resolvers-types.ts'],
  ['storefront/src/app.tsx', 'sdk/src/index.ts'],
  ['test/shop.e2e.ts', 'gateway/src/index.ts'],
  ['scripts/start.ts', 'subgraphs/users/src/server.ts'],
];

let root: string;
let found: { rule: string; from: string; to: string }[];

const relative = (from: string, to: string) => {
  const up = '../'.repeat(from.split('/').length - 1);
  return `${up}${to.replace(/\.tsx?$/, '.js')}`;
};

async function writeTree(imports: [from: string, to: string][]): Promise<void> {
  const importsOf = new Map<string, string[]>();
  for (const [from, to] of imports) {
    importsOf.set(from, [...(importsOf.get(from) ?? []), to]);
    if (!importsOf.has(to)) importsOf.set(to, []);
  }
  // The cycle's other half: definitions.ts imports config.ts back.
  importsOf.set('service-kit/src/definitions.ts', ['service-kit/src/config.ts']);
  for (const [file, targets] of importsOf) {
    await mkdir(join(root, dirname(file)), { recursive: true });
    const lines = targets.map((target, index) => `import * as m${index} from '${relative(file, target)}';\nvoid m${index};`);
    await writeFile(join(root, file), `${lines.join('\n')}\nexport const value = 1;\n`);
  }
}

async function violations(): Promise<{ rule: string; from: string; to: string }[]> {
  const result = await cruise(['.'], { validate: true, ruleSet: { forbidden: config.forbidden }, baseDir: root, tsPreCompilationDeps: true });
  const { summary } = result.output as ICruiseResult;
  return summary.violations.map((violation) => ({ rule: violation.rule.name, from: violation.from, to: violation.to }));
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'architecture-rules-'));
  await writeTree([...Object.values(BROKEN), ...ALLOWED]);
  found = await violations();
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('the architecture rules (.dependency-cruiser.cjs)', () => {
  it('has a broken import here for every rule it states', () => {
    expect(Object.keys(BROKEN).sort()).toEqual(config.forbidden.map((rule) => rule.name).sort());
  });

  it.each(Object.entries(BROKEN))('%s: refuses %s', (rule, [from, to]) => {
    expect(found).toContainEqual({ rule, from, to });
  });

  it('lets the allowed directions through', () => {
    for (const [from] of ALLOWED) expect(found.filter((violation) => violation.from === from)).toEqual([]);
  });
});
