import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import dockerignore from '@balena/dockerignore';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PORTS, SUBGRAPH_NAMES, type ServiceName } from '@shop/service-kit/definitions';
import { ROOT } from '../scripts/root.js';
import { gatewayService, SUBGRAPH_SERVICES } from '../scripts/services.js';
import { expand, type Image, imageOf, probe, readDockerfile, repoPathOf } from './support/dockerfile.js';
import { newSigningKeyPem } from './support/tokens.js';
import { pageHeaders } from '../storefront/build/serving.js';
import { storefrontConfig } from '../storefront/build/vite-config.js';
import { STOREFRONT_PORT } from '../scripts/storefront.js';

const dockerfile = readDockerfile();
const definitionOf = (name: ServiceName) => (name === 'gateway' ? gatewayService : SUBGRAPH_SERVICES[name]);
const readJson = (path: string): unknown => JSON.parse(readFileSync(join(ROOT, path), 'utf8'));
const WORKSPACES = (readJson('package.json') as { workspaces: string[] }).workspaces;

/** How each service's image is built: docs/run/deploying.md's and docker-compose.yml's commands. */
const IMAGES: { service: ServiceName; image: Image }[] = [
  { service: 'gateway', image: imageOf(dockerfile, 'gateway') },
  ...SUBGRAPH_NAMES.map((name) => ({ service: name, image: imageOf(dockerfile, 'subgraph', { SUBGRAPH: name }) })),
];

/** What production refuses to start without, as an operator passes it to `docker run`: the secrets, and where users (its keys) is. */
const OPERATOR_SETTINGS = { JWT_PRIVATE_KEY: newSigningKeyPem(), SERVICE_CREDENTIAL: 'c'.repeat(64), USERS_URL: 'http://users:4001' };

// Its types declare an ES default export; under NodeNext that is the `default` property it also sets.
const contextFilter = dockerignore.default().add(readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n'));
/** Every file under a folder of the repository, relative to the root. */
const filesUnder = (folder: string) =>
  readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
    .map((path) => posix.join(folder, path))
    .filter((path) => statSync(join(ROOT, path)).isFile());

/**
 * The Dockerfile cannot be built here (no Docker engine), so each image is worked out from it as
 * BuildKit would make it (stages, ARGs, ENV, WORKDIR, USER, COPY) with a maintained parser
 * (dockerfile-ast, the one behind VS Code's Dockerfile language server), and checked against the
 * repository, its workspaces and the services' own definitions.
 */
describe('Dockerfile', () => {
  it('builds every subgraph from one stage, chosen by ARG SUBGRAPH, and no other', () => {
    const declaring = dockerfile.stages.filter((stage) => stage.instructions.some((i) => i.getKeyword() === 'ARG' && /^SUBGRAPH\b/.test(i.getArgumentsContent() ?? '')));
    expect(declaring.map((stage) => stage.name)).toEqual(['subgraph']);
    // A stage of its own per subgraph is what this replaced.
    expect(dockerfile.stages.filter((stage) => (SUBGRAPH_NAMES as readonly string[]).includes(stage.name))).toEqual([]);
    const runnable = dockerfile.stages.filter((stage) => stage.instructions.some((i) => i.getKeyword() === 'CMD'));
    expect(runnable.map((stage) => stage.name).sort()).toEqual(['gateway', 'subgraph']);
    for (const name of SUBGRAPH_NAMES) expect(imageOf(dockerfile, 'subgraph', { SUBGRAPH: name }).workdir).toBe(`/app/subgraphs/${name}`);
  });

  it('stops the build on a SUBGRAPH that is not a subgraph, before anything uses it', () => {
    const stage = dockerfile.stages.find((s) => s.name === 'subgraph')!;
    const firstUse = stage.instructions.find((i) => i.getKeyword() !== 'ARG' && /\$\{?SUBGRAPH\b/.test(i.getRawArgumentsContent() ?? ''))!;
    expect(firstUse.getKeyword()).toBe('RUN');
    // The step as the build's shell runs it; no PATH, so it can run nothing but the shell's builtins.
    const build = (subgraph: string | undefined) =>
      spawnSync('sh', ['-c', firstUse.getArgumentsContent()!], { cwd: tmpdir(), env: subgraph === undefined ? {} : { SUBGRAPH: subgraph }, encoding: 'utf8' });
    for (const name of SUBGRAPH_NAMES) expect(build(name).status, name).toBe(0);
    for (const wrong of [undefined, '', 'gateway', 'user', 'users products', '../gateway', 'sdk']) {
      const result = build(wrong);
      expect(result.status, String(wrong)).not.toBe(0);
      expect(result.stderr, String(wrong)).toMatch(/SUBGRAPH must be users, products or orders/);
    }
  });

  it('copies from the build context only what exists there and .dockerignore lets in', () => {
    const checked = new Set<string>();
    for (const { image } of IMAGES) {
      for (const source of image.copies.filter((copy) => copy.from === undefined).flatMap((copy) => copy.sources)) {
        expect(existsSync(join(ROOT, source)), `${image.target}: COPY ${source}`).toBe(true);
        if (source === '.') continue;
        expect(contextFilter.ignores(source), `${image.target}: COPY ${source} is in .dockerignore`).toBe(false);
        if (statSync(join(ROOT, source)).isDirectory()) {
          expect(filesUnder(source).filter((path) => !contextFilter.ignores(path)), `${image.target}: COPY ${source} sends no file`).not.toEqual([]);
        }
        checked.add(source);
      }
    }
    expect([...checked]).toEqual(expect.arrayContaining(['supergraph.graphql', ...SUBGRAPH_NAMES.map((name) => `subgraphs/${name}/migrations`)]));
  });

  it('copies from the build stage only what `npm run build` makes there: a workspace’s dist/', () => {
    expect(imageOf(dockerfile, 'build').runs.map((run) => run.command)).toContain('npm run build');
    for (const { image } of IMAGES) {
      const built = image.copies.filter((copy) => copy.from !== undefined);
      expect(built.length, image.target).toBeGreaterThan(0);
      for (const { from, sources } of built) {
        expect(from).toBe('build');
        for (const source of sources) {
          const workspace = /^\/app\/(.+)\/dist$/.exec(source)?.[1];
          expect(WORKSPACES, `${image.target}: COPY --from=build ${source}`).toContain(workspace);
          expect((readJson(`${workspace!}/package.json`) as { scripts: Record<string, string> }).scripts.build).toBeDefined();
          expect((readJson(`${workspace!}/tsconfig.build.json`) as { compilerOptions: { outDir: string } }).compilerOptions.outDir).toBe('dist');
        }
      }
    }
  });

  it('gives every `npm ci` the manifests of all the workspaces the lockfile lists, from the one stage that copies them', () => {
    const copyingManifests = dockerfile.stages.filter((stage) => stage.instructions.some((i) => i.getKeyword() === 'COPY' && /\bpackage-lock\.json\b/.test(i.getArgumentsContent() ?? '')));
    expect(copyingManifests.map((stage) => stage.name)).toEqual(['manifests']);
    for (const image of [imageOf(dockerfile, 'build'), ...IMAGES.map((entry) => entry.image)]) {
      expect(image.chain.map((stage) => stage.name), image.target).toContain('manifests');
      const manifests = image.copies
        .filter((copy) => copy.from === undefined)
        .flatMap((copy) => copy.sources.filter((source) => source.endsWith('package.json') || source === 'package-lock.json').map((source) => ({ source, destination: copy.destination })));
      expect(manifests.map((m) => m.source).sort(), image.target).toEqual(['package-lock.json', 'package.json', ...WORKSPACES.map((w) => `${w}/package.json`)].sort());
      for (const { source, destination } of manifests) expect(destination, `${image.target}: COPY ${source}`).toBe(posix.join('/app', posix.dirname(source)));
    }
  });

  it('installs in each image the production dependencies of its own workspace and service-kit, workspaces that exist', () => {
    for (const { image } of IMAGES) {
      const installs = image.runs.filter((run) => run.command.startsWith('npm ci'));
      expect(installs.length, image.target).toBe(1);
      const words = expand(installs[0]!.command, installs[0]!.env).split(/\s+/);
      expect(words, image.target).toContain('--omit=dev');
      const workspaces = words.flatMap((word, index) => (words[index - 1] === '--workspace' ? [word] : []));
      for (const workspace of workspaces) expect(WORKSPACES, `${image.target}: --workspace ${workspace}`).toContain(workspace);
      expect(workspaces.sort(), image.target).toEqual(['service-kit', posix.relative('/app', image.workdir)].sort());
    }
  });

  it.each(IMAGES)('runs $service as the node user, in production, from its own folder', ({ service, image }) => {
    expect(image.user).toBe('node');
    expect(image.env).toMatchObject({ NODE_ENV: 'production', HOST: '0.0.0.0' });
    // The image runs the compiled index of the workspace it stands in, which is its definition's entry.
    expect(image.cmd?.at(-1)).toBe('dist/index.js');
    expect(join(repoPathOf(image.workdir), 'src/index.ts')).toBe(fileURLToPath(definitionOf(service).entry));
  });

  it.each(IMAGES)('checks that $service answers GET /health on the port it listens on', async ({ service, image }) => {
    const { PORT } = await definitionOf(service).loadConfig({ ...image.env, ...OPERATOR_SETTINGS });
    // Its own port, the one the other services and the manifests expect it on.
    expect(PORT).toBe(DEFAULT_PORTS[service]);
    expect(image.exposed.every((port) => port === String(PORT)), `EXPOSE ${image.exposed.join(' ')}`).toBe(true);
    expect(await probe(image, image.env, 200)).toMatchObject({ exitCode: 0, urls: [`http://127.0.0.1:${PORT}/health`], stderr: '' });
    // An operator's PORT moves the service, and the check with it.
    expect((await probe(image, { ...image.env, PORT: '5123' }, 200)).urls).toEqual(['http://127.0.0.1:5123/health']);
  });

  it('is unhealthy when the service answers with an error or not at all', async () => {
    const { image } = IMAGES.find((entry) => entry.service === 'users')!;
    const url = `http://127.0.0.1:${DEFAULT_PORTS.users}/health`;
    expect(await probe(image, image.env, 503)).toMatchObject({ exitCode: 1, urls: [url] });
    expect(await probe(image, image.env, 'refused')).toMatchObject({ exitCode: 1, urls: [url] });
  });

  describe('storefront', () => {
    const image = imageOf(dockerfile, 'storefront');
    const templateCopy = image.copies.find((copy) => copy.from === undefined && copy.destination === '/etc/nginx/templates')!;
    const template = readFileSync(join(ROOT, templateCopy.sources[0]!), 'utf8');
    /** The template as nginx's image renders it: only variables set in the container are replaced. */
    const render = (env: Record<string, string>) => template.replace(/\$\{(\w+)\}/g, (whole, name: string) => env[name] ?? whole);

    it('serves what `npm run build` makes of the storefront workspace, with its nginx template from the context', () => {
      expect(WORKSPACES).toContain('storefront');
      expect((readJson('storefront/package.json') as { scripts: Record<string, string> }).scripts.build).toBe('vite build');
      expect(storefrontConfig({ gatewayUrl: 'http://gateway/graphql' }).build?.outDir).toBe('dist');
      expect(image.copies.filter((copy) => copy.from !== undefined)).toEqual([{ from: 'build', sources: ['/app/storefront/dist'], destination: '/usr/share/nginx/html' }]);
      expect(contextFilter.ignores(templateCopy.sources[0]!)).toBe(false);
    });

    it('listens on the storefront’s port as a user other than root, and checks itself there', () => {
      expect(image.exposed).toEqual([String(STOREFRONT_PORT)]);
      expect(template).toMatch(new RegExp(`^\\s*listen ${STOREFRONT_PORT};$`, 'm'));
      expect(image.user).toBeDefined();
      expect(image.user).not.toMatch(/^(root|0)$/);
      expect(image.healthcheck).toContain(`http://127.0.0.1:${STOREFRONT_PORT}/config.json`);
    });

    it('gives the app its gateway, and its pages the Content-Security-Policy and headers that `npm start` and the browser tests serve', () => {
      // Only SHOP_GATEWAY_URL is the image's to fill in; everything else with a $ is nginx's.
      expect(new Set([...template.matchAll(/\$\{(\w+)\}/g)].map((match) => match[1]))).toEqual(new Set(['SHOP_GATEWAY_URL']));
      expect(image.env.SHOP_GATEWAY_URL).toMatch(/^http/);
      const gatewayUrl = 'https://api.shop.example/graphql';
      const rendered = render({ SHOP_GATEWAY_URL: gatewayUrl });
      const configJson = /location = \/config\.json \{[^}]*return 200 '([^']*)';/.exec(rendered)?.[1];
      expect(JSON.parse(configJson!)).toEqual({ gatewayUrl });
      // The page's headers, as `npm start` and the browser tests serve them.
      const pageBlock = /location \/ \{([^}]*)\}/.exec(rendered)![1]!;
      const added = Object.fromEntries([...pageBlock.matchAll(/add_header ([\w-]+) "([^"]*)" always;/g)].map(([, name, value]) => [name!.toLowerCase(), value]));
      expect(added).toEqual({ ...pageHeaders(gatewayUrl), 'cache-control': 'no-cache' });
    });
  });
});
