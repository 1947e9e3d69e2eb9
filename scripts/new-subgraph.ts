/**
 * `npm run new:subgraph -- <name> [--entity <TypeName>]`: the mechanical part of adding a subgraph.
 * Writes subgraphs/<name>/ in the shape every subgraph has (DESIGN.md §4: schema, migration,
 * definition, config, server, repository, loaders, resolvers, a test) around one documented
 * entity, and enters it wherever the project lists its services by hand: the workspaces and a
 * start script, the service kit's names and ports, the service definitions, `npm start`,
 * supergraph.yaml, codegen.ts, the Dockerfile, docker-compose.yml, Prometheus and the kustomize
 * base (Deployment, Service, budget, autoscaler, NetworkPolicy, the gateway's route). It then
 * records the workspace in package-lock.json. What is left to do is printed at the end, and
 * walked through in docs/extend/adding-a-subgraph.md.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { DEFAULT_METRICS_PORTS, DEFAULT_PORTS, SUBGRAPH_NAMES } from '@shop/service-kit/definitions';
import { ROOT } from './root.js';

const KEBAB_CASE = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const TYPE_NAME = /^[A-Z][A-Za-z0-9]*$/;
/** Names other parts of the shop already use, or that would read as something else. */
const RESERVED = new Set(['gateway', 'sdk', 'storefront', 'service-kit', 'bench', 'scripts', 'test', 'docs', 'deploy', 'contracts']);

interface Names {
  /** kebab-case, as given: the folder, the package, the service and its Kubernetes objects. */
  kebab: string;
  /** camelCase: the definition's variable (`reviewsService`). */
  camel: string;
  /** PascalCase: `createReviewsService`, `ReviewsContext`. */
  pascal: string;
  /** snake_case: the table. */
  snake: string;
  /** UPPER_SNAKE: environment variables (`SUBGRAPH_REVIEWS_URL`). */
  upper: string;
  /** The entity's GraphQL type (`Review`), and its camelCase (`review`). */
  entity: string;
  entityCamel: string;
  port: number;
  metricsPort: number;
}

const camelOf = (kebab: string) => kebab.replace(/-([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase());
const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);
const upperFirst = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
/** `reviews` → `Review`, `gift-cards` → `GiftCard`; a name not ending in one `s` takes `Item`. */
const defaultEntity = (pascal: string) => (/[^s]s$/.test(pascal) ? pascal.slice(0, -1) : `${pascal}Item`);
/** An object key in TypeScript: quoted unless it is an identifier. */
const key = (name: string) => (/^[a-z][a-z0-9]*$/.test(name) ? name : `'${name}'`);

/** The names and ports of the new service, or every reason it cannot be made. */
export function planSubgraph(args: readonly string[]): Names {
  const entityAt = args.indexOf('--entity');
  const entityArg = entityAt === -1 ? undefined : args[entityAt + 1];
  const positional = args.filter((arg, index) => !arg.startsWith('--') && !(entityAt !== -1 && index === entityAt + 1));
  const kebab = positional[0];
  const problems: string[] = [];
  if (!kebab || positional.length > 1) throw new Error('usage: npm run new:subgraph -- <name> [--entity <TypeName>]   (e.g. npm run new:subgraph -- reviews)');
  if (!KEBAB_CASE.test(kebab)) problems.push(`"${kebab}" is not kebab-case (lower-case letters and digits, words joined by "-", starting with a letter)`);
  if (RESERVED.has(kebab)) problems.push(`"${kebab}" is taken by another part of the shop`);
  if ((SUBGRAPH_NAMES as readonly string[]).includes(kebab)) problems.push(`"${kebab}" is already a subgraph (SUBGRAPH_NAMES)`);
  if (existsSync(resolve(ROOT, 'subgraphs', kebab))) problems.push(`subgraphs/${kebab} already exists`);
  if (entityAt !== -1 && (!entityArg || !TYPE_NAME.test(entityArg))) problems.push('--entity takes a GraphQL type name in PascalCase, such as Review');
  if (problems.length > 0) throw new Error(`Cannot add subgraph "${kebab}":\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  const camel = camelOf(kebab);
  const pascal = upperFirst(camel);
  const entity = entityArg ?? defaultEntity(pascal);
  return {
    kebab,
    camel,
    pascal,
    snake: kebab.replace(/-/g, '_'),
    upper: kebab.toUpperCase().replace(/-/g, '_'),
    entity,
    entityCamel: lowerFirst(entity),
    // The next after the highest in use: 4004 and 9404 for the shop's fourth service.
    port: Math.max(...Object.values(DEFAULT_PORTS)) + 1,
    metricsPort: Math.max(...Object.values(DEFAULT_METRICS_PORTS)) + 1,
  };
}

/** The files of subgraphs/<name>/, by path inside that folder. */
function serviceFiles(n: Names): Record<string, string> {
  const repository = `${n.kebab}-repository`;
  const row = `${n.entity}Row`;
  return {
    'package.json': `${JSON.stringify(
      {
        name: `@shop/${n.kebab}`,
        version: '0.1.0',
        private: true,
        description: `The ${n.kebab} subgraph.`,
        type: 'module',
        scripts: { build: 'tsc -p tsconfig.build.json', start: 'node --liftoff-only --max-semi-space-size=8 dist/index.js' },
        dependencies: { '@shop/service-kit': '^0.1.0', graphql: '^16.15.0' },
      },
      null,
      2,
    )}\n`,
    'tsconfig.build.json': `{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": { "rootDir": "src", "outDir": "dist" },
  "include": ["src"]
}
`,
    'schema.graphql': `extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])

"""
An instant in time as an ISO-8601 string in UTC, such as \`2026-11-25T09:30:00.000Z\`.
"""
scalar DateTime

"""
A ${n.entityCamel}, owned by the ${n.kebab} service. Say here what it is: every type and field has a docstring.
"""
type ${n.entity} @key(fields: "id") {
  "Opaque, stable identifier."
  id: ID!
  "When it was created."
  createdAt: DateTime!
}

type Query {
  "A ${n.entityCamel} by id; null when there is none (an id that is no UUID is BAD_USER_INPUT)."
  ${n.entityCamel}(id: ID!): ${n.entity}
}
`,
    'migrations/001-init.sql': `CREATE TABLE ${n.snake} (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  created_at timestamptz NOT NULL DEFAULT now()
);
`,
    'src/index.ts': `import { runSubgraph } from '@shop/service-kit/run';
import { ${n.camel}Service } from './service.js';

await runSubgraph(${n.camel}Service);
`,
    'src/service.ts': `import { subgraphLayout, type SubgraphServiceDefinition } from '@shop/service-kit/definitions';
import type { ${n.pascal}Config } from './config.js';

/**
 * The ${n.kebab} subgraph. What it runs on is imported only when it is needed, so reading this
 * definition (\`npm start\`) loads no service.
 */
export const ${n.camel}Service = {
  name: '${n.kebab}',
  ...subgraphLayout(import.meta.url),
  loadConfig: async (env) => (await import('./config.js')).loadConfig(env),
  // No demo data: a development database starts empty.
  seed: async () => {},
  async create(db, config, logger) {
    const [{ create${n.pascal}Service }, { usersTokenVerifier }] = await Promise.all([import('./server.js'), import('@shop/service-kit')]);
    return create${n.pascal}Service({
      db,
      logger,
      verifyToken: usersTokenVerifier(config),
      sandbox: config.NODE_ENV !== 'production',
      shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    });
  },
} satisfies SubgraphServiceDefinition<${n.pascal}Config>;
`,
    'src/config.ts': `import { commonEnv, DEFAULT_METRICS_PORTS, DEFAULT_PORTS, databaseEnv, loadEnv, productionProblems, tokenEnv, usersUrlEnv } from '@shop/service-kit';

export function loadConfig(env: Record<string, string | undefined>) {
  return loadEnv(
    { ...commonEnv(DEFAULT_PORTS${n.kebab === n.camel ? `.${n.kebab}` : `['${n.kebab}']`}, DEFAULT_METRICS_PORTS${n.kebab === n.camel ? `.${n.kebab}` : `['${n.kebab}']`}), ...databaseEnv('${n.kebab}'), ...tokenEnv, ...usersUrlEnv },
    env,
    productionProblems,
  );
}
export type ${n.pascal}Config = ReturnType<typeof loadConfig>;
`,
    'src/server.ts': `import { createSubgraphService, type SubgraphDeps } from '@shop/service-kit';
import { resolvers } from './resolvers/index.js';
import { create${n.pascal}Repository } from './${repository}.js';
import { createLoaders } from './loaders.js';
import type { ${n.pascal}Context } from './context.js';

/** The ${n.kebab} subgraph, ready to listen; tests start it on a free port. */
export function create${n.pascal}Service(deps: SubgraphDeps) {
  const ${n.camel} = create${n.pascal}Repository(deps.db);
  return createSubgraphService<${n.pascal}Context>(deps, {
    schemaFile: new URL('../schema.graphql', import.meta.url),
    resolvers,
    context: (shared) => ({ ...shared, loaders: createLoaders(${n.camel}), ${n.camel} }),
  });
}
`,
    'src/context.ts': `import type { SubgraphContext } from '@shop/service-kit';
import type { Loaders } from './loaders.js';
import type { ${n.pascal}Repository } from './${repository}.js';

export interface ${n.pascal}Context extends SubgraphContext {
  loaders: Loaders;
  ${n.camel}: ${n.pascal}Repository;
}
`,
    [`src/${repository}.ts`]: `import { isUuid, type Queryable } from '@shop/service-kit';

export interface ${row} {
  id: string;
  created_at: Date;
}

const COLUMNS = 'id, created_at';

export function create${n.pascal}Repository(db: Queryable) {
  return {
    async list${n.entity}sByIds(ids: readonly string[]): Promise<${row}[]> {
      const valid = ids.filter(isUuid);
      if (valid.length === 0) return [];
      return db.query<${row}>(\`SELECT \${COLUMNS} FROM ${n.snake} WHERE id = ANY($1::uuid[])\`, [valid], { prepare: true });
    },

    async create${n.entity}(): Promise<${row}> {
      const rows = await db.query<${row}>(\`INSERT INTO ${n.snake} DEFAULT VALUES RETURNING \${COLUMNS}\`);
      return rows[0]!;
    },
  };
}

export type ${n.pascal}Repository = ReturnType<typeof create${n.pascal}Repository>;
`,
    'src/loaders.ts': `import { loaderById } from '@shop/service-kit';
import type { ${n.pascal}Repository } from './${repository}.js';

/** Built per request: one statement per batch of lookups, nothing cached across requests. */
export function createLoaders(${n.camel}: ${n.pascal}Repository) {
  return {
    ${n.entityCamel}ById: loaderById((ids) => ${n.camel}.list${n.entity}sByIds(ids)),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
`,
    'src/resolvers/index.ts': `import { DateTimeScalar } from '@shop/service-kit';
import type { Resolvers } from '../__generated__/resolvers-types.js';
import { ${n.entity} } from './${n.entity}.js';
import { Query } from './Query.js';

export const resolvers: Resolvers = { DateTime: DateTimeScalar, Query, ${n.entity} };
`,
    'src/resolvers/Query.ts': `import { requireUuid } from '@shop/service-kit';
import type { QueryResolvers } from '../__generated__/resolvers-types.js';

export const Query: QueryResolvers = {
  // A well-formed id of nothing is null (DESIGN.md §2); one that cannot be an id is BAD_USER_INPUT.
  ${n.entityCamel}: (_parent, { id }, { loaders }) => loaders.${n.entityCamel}ById.load(requireUuid(id, 'id')),
};
`,
    [`src/resolvers/${n.entity}.ts`]: `import type { ${n.entity}Resolvers } from '../__generated__/resolvers-types.js';

export const ${n.entity}: ${n.entity}Resolvers = {
  __resolveReference: (reference, { loaders }) => loaders.${n.entityCamel}ById.load(reference.id),
  createdAt: (${n.entityCamel}) => ${n.entityCamel}.created_at,
};
`,
    [`test/${n.kebab}.test.ts`]: `import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, openDatabase, type Database, type VerifyToken } from '@shop/service-kit';
import { testLogger } from '../../../test/support/logger.js';
import { create${n.pascal}Repository } from '../src/${repository}.js';
import { create${n.pascal}Service } from '../src/server.js';
import { ${n.camel}Service } from '../src/service.js';

const noTokens: VerifyToken = () => Promise.reject(new Error('this test sends no token'));

describe('${n.kebab}', () => {
  let db: Database;
  let service: Awaited<ReturnType<typeof create${n.pascal}Service>>;
  let url: string;

  beforeAll(async () => {
    db = await openDatabase({});
    await migrate(db, fileURLToPath(${n.camel}Service.migrations));
    service = await create${n.pascal}Service({ db, logger: testLogger('${n.kebab}'), verifyToken: noTokens, sandbox: false });
    url = await service.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    await service.stop();
    await db.close();
  });

  const ask = async (query: string, variables: Record<string, unknown>) => {
    const response = await fetch(\`\${url}/graphql\`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
    return (await response.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] };
  };

  it('answers a ${n.entityCamel} by id through its GraphQL endpoint', async () => {
    const ${n.entityCamel} = await create${n.pascal}Repository(db).create${n.entity}();
    expect(await ask('query ($id: ID!) { ${n.entityCamel}(id: $id) { id } }', { id: ${n.entityCamel}.id })).toEqual({ data: { ${n.entityCamel}: { id: ${n.entityCamel}.id } } });
  });

  it('refuses an id that is no uuid as BAD_USER_INPUT', async () => {
    const { errors } = await ask('query ($id: ID!) { ${n.entityCamel}(id: $id) { id } }', { id: 'nope' });
    expect(errors?.map((error) => error.extensions?.code)).toEqual(['BAD_USER_INPUT']);
  });
});
`,
  };
}

/** A text edit of a file the project keeps by hand; throws naming the file when its shape is not the one expected. */
async function edit(path: string, change: (text: string) => string): Promise<void> {
  const file = resolve(ROOT, path);
  const before = await readFile(file, 'utf8');
  const after = change(before);
  if (after === before) throw new Error(`${path}: found nothing to change; has its layout changed? Add the service there by hand.`);
  await writeFile(file, after);
}

/** Inserts `addition` right after the last match of `pattern` (global), or fails naming `what`. */
function afterLast(text: string, pattern: RegExp, addition: string, what: string): string {
  const matches = [...text.matchAll(pattern)];
  const last = matches.at(-1);
  if (!last) throw new Error(`cannot find ${what}`);
  const at = last.index + last[0].length;
  return text.slice(0, at) + addition + text.slice(at);
}

/** Every edit to a file that lists the services, in the order they are made. */
function projectEdits(n: Names): [path: string, change: (text: string) => string][] {
  return [
    [
      'package.json',
      (text) => {
        const pkg = JSON.parse(text) as { workspaces: string[]; scripts: Record<string, string> };
        const lastSubgraph = pkg.workspaces.findLastIndex((workspace) => workspace.startsWith('subgraphs/'));
        pkg.workspaces.splice(lastSubgraph + 1, 0, `subgraphs/${n.kebab}`);
        const entries = Object.entries(pkg.scripts);
        const lastStart = entries.findLastIndex(([name]) => SUBGRAPH_NAMES.some((subgraph) => name === `start:${subgraph}`));
        entries.splice(lastStart + 1, 0, [`start:${n.kebab}`, `node --liftoff-only --max-semi-space-size=8 --import tsx --conditions=source subgraphs/${n.kebab}/src/index.ts`]);
        pkg.scripts = Object.fromEntries(entries);
        return `${JSON.stringify(pkg, null, 2)}\n`;
      },
    ],
    [
      'service-kit/src/service-names.ts',
      (text) =>
        text
          .replace(/(export const SUBGRAPH_NAMES = \[[^\]]*?)\]/, `$1, '${n.kebab}']`)
          .replace(/(export const DEFAULT_PORTS[^=]*= \{[^}]*?) \}/, `$1, ${key(n.kebab)}: ${n.port} }`)
          .replace(/(export const DEFAULT_METRICS_PORTS[^=]*= \{[^}]*?) \}/, `$1, ${key(n.kebab)}: ${n.metricsPort} }`),
    ],
    [
      'scripts/services.ts',
      (text) =>
        afterLast(text, /^import \{ \w+Service \} from '\.\.\/subgraphs\/[^']+';\n/gm, `import { ${n.camel}Service } from '../subgraphs/${n.kebab}/src/service.js';\n`, 'the subgraph imports in scripts/services.ts').replace(
          /(export const SUBGRAPH_SERVICES = \{[^}]*?) \}/,
          `$1, ${key(n.kebab)}: ${n.camel}Service }`,
        ),
    ],
    [
      'scripts/start.ts',
      (text) =>
        text
          // Its colour in the labelled logs (ANSI 31, red: the one the others leave).
          .replace(/(const COLOURS: Record<Part, number> = \{[^}]*?) \}/, `$1, ${key(n.kebab)}: 31 }`)
          // The gateway finds it by the supergraph's routing_url; with ${n.upper}_PORT set, here.
          .replace(/(const shared = \{\n(?:.*\n)*?)( {2}APOLLO_TELEMETRY_DISABLED)/, `$1  SUBGRAPH_${n.upper}_URL: \`\${url('${n.kebab}')}/graphql\`,\n$2`),
    ],
    [
      'supergraph.yaml',
      (text) =>
        `${text.trimEnd()}\n  ${n.kebab}:\n    routing_url: http://127.0.0.1:${n.port}/graphql\n    schema:\n      file: ./subgraphs/${n.kebab}/schema.graphql\n`,
    ],
    [
      'codegen.ts',
      (text) =>
        afterLast(
          text,
          /^ {4}\.\.\.subgraph\((?:.*\n)*?^ {4}\),?\n|^ {4}\.\.\.subgraph\(.*\),\n/gm,
          `    ...subgraph('${n.kebab}', { ${n.entity}: '../${n.kebab}-repository.js#${n.entity}Row' }, '../context.js#${n.pascal}Context'),\n`,
          "codegen.ts's subgraph entries",
        ),
    ],
    [
      'Dockerfile',
      (text) =>
        text
          .replace(/^COPY subgraphs\/orders\/package\.json subgraphs\/orders\/\n/gm, (line) => `${line}COPY subgraphs/${n.kebab}/package.json subgraphs/${n.kebab}/\n`)
          .replace(/( {6}users\|products\|orders[^)]*)\)/, `$1|${n.kebab})`)
          .replace(/SUBGRAPH must be ([^(]*?) or (\w+) \(got/, `SUBGRAPH must be $1, $2 or ${n.kebab} (got`),
    ],
    ['docker-compose.yml', (text) => composeWith(text, n)],
    [
      'deploy/prometheus/prometheus.yml',
      (text) => text.replace(/(- targets: \[[^\]]*?)\]/, `$1, "${n.kebab}:${n.metricsPort}"]`),
    ],
    [
      'deploy/kubernetes/base/kustomization.yaml',
      (text) => text.replace(/^( {2}- orders\.yaml\n)/m, `$1  - ${n.kebab}.yaml\n`),
    ],
    [
      'deploy/kubernetes/base/gateway.yaml',
      (text) =>
        text.replace(
          /^( {12}- name: ORDERS_URL\n {14}value: .*\n)/m,
          `$1            # Where the gateway reaches ${n.kebab} (the supergraph's routing_url is 127.0.0.1).\n            - name: SUBGRAPH_${n.upper}_URL\n              value: http://${n.kebab}:${n.port}/graphql\n`,
        ),
    ],
    ['deploy/kubernetes/base/network-policies.yaml', (text) => networkPoliciesWith(text, n)],
  ];
}

/** docker-compose.yml with its database, the service, and the gateway routed to it and waiting for it. */
function composeWith(text: string, n: Names): string {
  const database = `  ${n.kebab}-db:
    <<: *postgres
    environment:
      POSTGRES_USER: shop
      POSTGRES_PASSWORD: \${POSTGRES_PASSWORD:-shop}
      POSTGRES_DB: ${n.snake}
    volumes:
      - ${n.kebab}-db-data:/var/lib/postgresql/data

`;
  const service = `  ${n.kebab}:
    <<: *service
    build:
      context: .
      target: subgraph
      args:
        SUBGRAPH: ${n.kebab}
    environment:
      <<: *telemetry
      NODE_ENV: production
      HOST: 0.0.0.0
      PORT: ${n.port}
      DATABASE_URL: postgres://shop:\${POSTGRES_PASSWORD:-shop}@${n.kebab}-db:5432/${n.snake}
      USERS_URL: http://users:4001
    depends_on:
      ${n.kebab}-db:
        condition: service_healthy
      users:
        condition: service_healthy

`;
  const gatewayAt = text.indexOf('\n  gateway:\n');
  if (gatewayAt === -1) throw new Error('docker-compose.yml: cannot find the gateway service');
  let result = `${text.slice(0, gatewayAt + 1)}${database}${service}${text.slice(gatewayAt + 1)}`;
  const gatewayStart = result.indexOf('\n  gateway:\n');
  const gatewayEnd = result.indexOf('\n\n', gatewayStart);
  let gateway = result.slice(gatewayStart, gatewayEnd);
  gateway = afterLast(gateway, /^ {6}\w+_URL: .*\n/gm, `      SUBGRAPH_${n.upper}_URL: http://${n.kebab}:${n.port}/graphql\n`, "the gateway's service URLs in docker-compose.yml");
  gateway = `${gateway}\n      ${n.kebab}:\n        condition: service_healthy`;
  result = result.slice(0, gatewayStart) + gateway + result.slice(gatewayEnd);
  return `${result.trimEnd()}\n  ${n.kebab}-db-data:\n`;
}

/** The network policies with one admitting the gateway (and Prometheus) to the new service, and users admitting it (its keys). */
function networkPoliciesWith(text: string, n: Names): string {
  const ordersPolicy = /---\napiVersion: networking\.k8s\.io\/v1\nkind: NetworkPolicy\nmetadata:\n {2}name: orders-from-shop\n[\s\S]*?(?=\n---\n|\n?$)/.exec(text);
  if (!ordersPolicy) throw new Error('network-policies.yaml: cannot find the orders-from-shop policy to model the new one on');
  const policy = ordersPolicy[0].replace(/\borders\b/g, n.kebab);
  const withUsers = text.replace(
    /(name: users-from-shop\n[\s\S]*?app\.kubernetes\.io\/name: orders\n {14}app\.kubernetes\.io\/part-of: shop\n)/,
    `$1        - podSelector:\n            matchLabels:\n              app.kubernetes.io/name: ${n.kebab}\n              app.kubernetes.io/part-of: shop\n`,
  );
  const withHeader = withUsers
    .replace(/(# {3}- users: the gateway \([^)]*\), )([^(]*?) and (\w+) \(its keys/, `$1$2, $3 and ${n.kebab} (its keys`)
    .replace(/(# {3}- orders: the gateway;\n)/, `$1#   - ${n.kebab}: the gateway;\n`);
  return `${withHeader.trimEnd()}\n${policy.trimEnd()}\n`;
}

/** deploy/kubernetes/base/<name>.yaml: products' Deployment, Service, budget and autoscaler, for the new service. */
async function kubernetesManifest(n: Names): Promise<string> {
  const products = await readFile(resolve(ROOT, 'deploy/kubernetes/base/products.yaml'), 'utf8');
  const credential = /^ {12}# Shared with orders[^\n]*\n {12}- name: SERVICE_CREDENTIAL\n(?: {14,}.*\n)+/m;
  if (!credential.test(products)) throw new Error('deploy/kubernetes/base/products.yaml: its layout changed; write the manifest by hand');
  const body = products
    .slice(products.indexOf('apiVersion:'))
    .replace(credential, '')
    .replace(/\bproducts\b/g, n.kebab)
    .replace(/\b4002\b/g, String(n.port))
    .replace(/\b9402\b/g, String(n.metricsPort));
  return `# ${n.kebab} (port ${n.port}). Its database is PostgreSQL at DATABASE_URL, from the Secret
# ${n.kebab}-secrets (never PGlite here: replicas share one database, and the root filesystem is read-only).
${body}`;
}

async function main(): Promise<void> {
  const n = planSubgraph(process.argv.slice(2));
  const folder = resolve(ROOT, 'subgraphs', n.kebab);
  const written: string[] = [];
  for (const [path, content] of Object.entries(serviceFiles(n))) {
    const file = resolve(folder, path);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, content);
    written.push(relative(ROOT, file));
  }
  const manifest = resolve(ROOT, `deploy/kubernetes/base/${n.kebab}.yaml`);
  await writeFile(manifest, await kubernetesManifest(n));
  written.push(relative(ROOT, manifest));
  const edited: string[] = [];
  for (const [path, change] of projectEdits(n)) {
    await edit(path, change);
    edited.push(path);
  }
  // The workspace into package-lock.json (npm ci refuses a lockfile that misses it); nothing to download.
  const lock = spawnSync('npm', ['install', '--package-lock-only', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: ROOT, stdio: 'inherit' });
  const lockNote = lock.status === 0 ? 'package-lock.json (the new workspace)' : 'package-lock.json NOT updated: run `npm install`';
  console.log(`
Subgraph "${n.kebab}" scaffolded: port ${n.port}, metrics ${n.metricsPort}, entity ${n.entity}.
Wrote:
${written.map((path) => `  ${path}`).join('\n')}
Edited:
${[...edited, lockNote].map((path) => `  ${path}`).join('\n')}
Next: npm run codegen (its resolver types), then npx vitest run --project unit subgraphs/${n.kebab},
write its schema and resolvers, npm run compose, npm start. Left to you: .env.example, the
Kubernetes overlays (image, ${n.kebab}-db, the ${n.kebab}-secrets Secret), docs/extend/adding-a-subgraph.md.`);
}

try {
  await main();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
