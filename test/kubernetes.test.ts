import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../scripts/root.js';
import {
  configMapsOf,
  configsOf,
  containersOf,
  findRenderer,
  isShopService,
  KUBERNETES_DIR,
  OVERLAYS,
  reachability,
  renderOverlay,
  RULES,
  SERVICES,
  workloadsOf,
  type KubernetesObject,
  type Manifest,
  type Overlay,
  type RuleContext,
  type RuleName,
  type SecretValues,
} from './support/kubernetes.js';
import { newSigningKeyPem } from './support/tokens.js';

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** What an operator puts in each secret key (docs/run/kubernetes.md), in the shape the services check. */
const SECRET_VALUES: SecretValues = {
  JWT_PRIVATE_KEY: () => newSigningKeyPem(),
  SERVICE_CREDENTIAL: () => hex(32),
  DATABASE_URL: (service) => `postgres://shop:${hex(12)}@${service}-db:5432/${service}`,
  REDIS_URL: () => `redis://:${hex(12)}@redis:6379`,
  NATS_URL: () => `nats://orders:${hex(12)}@nats:4222`,
  POSTGRES_PASSWORD: () => hex(12),
};

/** The secrets docs/run/kubernetes.md tells operators to create, by name and key: renaming one breaks their clusters. */
const PRODUCTION_SECRETS = {
  'gateway-secrets': ['REDIS_URL'],
  'orders-secrets': ['DATABASE_URL', 'NATS_URL'],
  'products-secrets': ['DATABASE_URL'],
  'service-credential': ['SERVICE_CREDENTIAL'],
  'users-secrets': ['DATABASE_URL', 'JWT_PRIVATE_KEY'],
};
const SECRETS: Record<Overlay, Record<string, string[]>> = {
  production: PRODUCTION_SECRETS,
  dev: { ...PRODUCTION_SECRETS, 'postgres-secrets': ['POSTGRES_PASSWORD'] },
};

const RULE_DESCRIPTIONS: Record<RuleName, string> = {
  schema: 'holds only expected kinds, each valid against its Kubernetes schema (kubernetes-models), and no Secret',
  labels: "labels every object and pod with its name and as part of the shop",
  selectors: "selects each workload's own pods, in its selector and its spread constraints",
  services: 'routes every Service to the pods of one workload, on ports they declare',
  availability: 'gives the gateway and each subgraph a Service, a PodDisruptionBudget and a CPU HorizontalPodAutoscaler that owns its replicas',
  targets: 'aims every HorizontalPodAutoscaler and PodDisruptionBudget at a workload that exists',
  security: 'runs every container as non-root on a read-only root filesystem, without privileges, with requests and limits',
  probes: 'probes every container: start-up, liveness and readiness',
  secrets: 'takes every secret by reference and holds none',
  configuration: "gives each service an environment its own loadConfig accepts, every variable one it reads; ports, probes (/health, /ready), metrics and service URLs agree with it",
  shutdown: 'lets each service drain for longer than SHUTDOWN_TIMEOUT_MS, after a pause for its endpoint to go',
  pods: "mounts no service-account token and injects no service links into the shop's pods, with an emptyDir at /tmp",
  supergraph: "mounts the supergraph ConfigMap, the repository's supergraph.graphql, as a directory under a stable name at SUPERGRAPH_PATH",
  images: 'pins every image to a tag or digest',
  network: 'denies ingress by default; gives every workload a NetworkPolicy of its own, on ports it declares; opens no port to strangers, and metrics ports to Prometheus only',
  edge: 'has the gateway trust X-Forwarded-For from its ingress only (one hop or its addresses), never a private range',
};

/**
 * Who may connect to each port, as a CNI enforcing the NetworkPolicies would decide: the gateway
 * from the ingress, each subgraph from the services that call it (the gateway; products and orders
 * fetch users' keys, orders checks accounts with users and reserves stock with products), metrics
 * from Prometheus; in dev each database, Redis and NATS from its own service only.
 */
const SHOP_PEERS = {
  gateway: { http: ['ingress controller'], metrics: ['Prometheus'] },
  users: { http: ['gateway', 'orders', 'products'], metrics: ['Prometheus'] },
  products: { http: ['gateway', 'orders'], metrics: ['Prometheus'] },
  orders: { http: ['gateway'], metrics: ['Prometheus'] },
};
const PEERS: Record<Overlay, Record<string, Record<string, string[]>>> = {
  production: SHOP_PEERS,
  dev: {
    ...SHOP_PEERS,
    'users-db': { postgres: ['users'] },
    'products-db': { postgres: ['products'] },
    'orders-db': { postgres: ['orders'] },
    redis: { redis: ['gateway'] },
    // Its monitoring port serves the kubelet's probes, which no policy governs.
    nats: { client: ['orders'], monitoring: [] },
  },
};

const supergraphSdl = await readFile(join(ROOT, 'supergraph.graphql'), 'utf8');
const context: RuleContext = { secretValues: SECRET_VALUES, supergraph: supergraphSdl };
const renderer = findRenderer();
const manifests = renderer
  ? (Object.fromEntries(await Promise.all(OVERLAYS.map(async (overlay) => [overlay, await renderOverlay(renderer, overlay)] as const))) as Record<Overlay, Manifest>)
  : undefined;

function objectOf<Kind extends KubernetesObject['kind']>(manifest: Manifest, kind: Kind, name: string) {
  const found = manifest.objects.find((object): object is Extract<KubernetesObject, { kind: Kind }> => object.kind === kind && object.metadata?.name === name);
  if (!found) throw new Error(`${kind}/${name} is not in overlays/${manifest.overlay}`);
  return found;
}
const containerOf = (manifest: Manifest, service: string) => containersOf(objectOf(manifest, 'Deployment', service)).find((container) => container.name === service)!;
const envOf = (manifest: Manifest, service: string, name: string) => containerOf(manifest, service).env!.find((variable) => variable.name === name)!;

/** Secret name -> the keys the manifests read from it. */
function secretReferences(manifest: Manifest): Record<string, string[]> {
  const references: Record<string, Set<string>> = {};
  for (const container of workloadsOf(manifest).flatMap(containersOf)) {
    for (const variable of container.env ?? []) {
      const ref = variable.valueFrom?.secretKeyRef;
      if (ref) (references[ref.name ?? ''] ??= new Set()).add(ref.key);
    }
  }
  return Object.fromEntries(Object.entries(references).map(([name, keys]) => [name, [...keys].sort()]));
}

describe('deploy/kubernetes', () => {
  it("carries the repository's supergraph.graphql byte for byte (npm run compose writes both)", async () => {
    expect(await readFile(join(KUBERNETES_DIR, 'base', 'supergraph.graphql'), 'utf8')).toBe(supergraphSdl);
  });

  // No npm package renders kustomize; without kubectl or kustomize on PATH these are skipped, by name.
  describe.skipIf(manifests === undefined)(`overlays rendered by ${renderer?.name ?? 'kubectl kustomize or kustomize build (neither on PATH)'}`, () => {
    for (const overlay of OVERLAYS) {
      describe(`overlays/${overlay}`, () => {
        const manifest = () => manifests![overlay];

        it.each(Object.entries(RULE_DESCRIPTIONS) as [RuleName, string][])('%s: %s', async (rule) => {
          expect(await RULES[rule](manifest(), context)).toEqual([]);
        });

        it('references exactly the secrets the Kubernetes docs tell operators to create', () => {
          expect(secretReferences(manifest())).toEqual(SECRETS[overlay]);
        });

        it('lets each port be reached only by its listed peers, every workload behind a policy', () => {
          expect(reachability(manifest())).toEqual(PEERS[overlay]);
        });
      });
    }

    describe('overlays/dev only', () => {
      it('brings a PostgreSQL per subgraph, Redis, and NATS with JetStream, each behind a Service of its name', () => {
        const dev = manifests!.dev;
        const infrastructure = [
          ...['users-db', 'products-db', 'orders-db'].map((name) => ({ name, kind: 'StatefulSet', image: /^postgres:16/, port: 5432 }) as const),
          { name: 'redis', kind: 'Deployment', image: /^redis:/, port: 6379 },
          { name: 'nats', kind: 'Deployment', image: /^nats:2/, port: 4222 },
        ] as const;
        for (const { name, kind, image, port } of infrastructure) {
          const [container] = containersOf(objectOf(dev, kind, name));
          expect(container?.image, name).toMatch(image);
          expect(objectOf(dev, 'Service', name).spec?.ports?.map((candidate) => candidate.port)).toEqual([port]);
        }
        expect(containersOf(objectOf(dev, 'Deployment', 'nats'))[0]?.args).toContain('-js');
        for (const subgraph of ['users', 'products', 'orders']) {
          expect(containersOf(objectOf(dev, 'StatefulSet', `${subgraph}-db`))[0]?.env).toContainEqual({ name: 'POSTGRES_DB', value: subgraph });
        }
      });

      it('runs the shop in development mode, one to two replicas, from images loaded into the cluster and never pulled', async () => {
        const dev = manifests!.dev;
        const { configs, problems } = await configsOf(dev, SECRET_VALUES);
        expect(problems).toEqual([]);
        for (const service of SERVICES) {
          expect(configs.get(service)?.NODE_ENV, service).toBe('development');
          expect(containerOf(dev, service)).toMatchObject({ image: `shop/${service}:dev`, imagePullPolicy: 'Never' });
          expect(objectOf(dev, 'HorizontalPodAutoscaler', service).spec).toMatchObject({ minReplicas: 1, maxReplicas: 2 });
        }
      });
    });

    describe('overlays/production only', () => {
      it('brings no database, Redis or NATS: only the shop and its supergraph', () => {
        const production = manifests!.production;
        expect(workloadsOf(production).map((workload) => `${workload.kind}/${workload.metadata?.name}`).sort()).toEqual(SERVICES.map((service) => `Deployment/${service}`).sort());
        expect(workloadsOf(production).every(isShopService)).toBe(true);
        expect(configMapsOf(production).map((configMap) => configMap.metadata?.name)).toEqual(['supergraph']);
      });

      it('runs the shop in production mode, at least two replicas of each service, rate limits shared through Redis', async () => {
        const production = manifests!.production;
        const { configs, problems } = await configsOf(production, SECRET_VALUES);
        expect(problems).toEqual([]);
        for (const service of SERVICES) {
          expect(configs.get(service)?.NODE_ENV, service).toBe('production');
          expect(objectOf(production, 'HorizontalPodAutoscaler', service).spec?.minReplicas, service).toBeGreaterThanOrEqual(2);
        }
        expect(configs.get('gateway')?.REDIS_URL).toEqual(expect.stringMatching(/^redis:/));
      });

      it("pulls each service's image from a registry of its own, at a release tag", () => {
        for (const service of SERVICES) {
          // A bare `shop/<service>` would be pulled from Docker Hub's `shop` account, which is not ours.
          expect(containerOf(manifests!.production, service).image).toMatch(new RegExp(`^[\\w-]+(\\.[\\w-]+)+(:\\d+)?/shop/${service}:\\d+\\.\\d+\\.\\d+$`));
        }
      });
    });

    // Each rule, shown to fail: a manifest broken in one way, and the rule that must say so.
    describe('the rules catch', () => {
      const mutations: [string, RuleName, (manifest: Manifest) => void, RegExp][] = [
        ['an object of an unvalidated kind', 'schema', (m) => m.objects.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'oops' } } as unknown as KubernetesObject), /Secret\/oops/],
        ['a value outside the schema', 'schema', (m) => (containerOf(m, 'gateway').resources!.limits!.cpu = 'lots'), /Deployment\/gateway: .*cpu/],
        ['an object without the shop label', 'labels', (m) => delete objectOf(m, 'ConfigMap', 'supergraph').metadata!.labels!['app.kubernetes.io/part-of'], /ConfigMap\/supergraph: no label app.kubernetes.io\/part-of/],
        ['pod labels the selector misses', 'selectors', (m) => (objectOf(m, 'Deployment', 'users').spec!.template.metadata!.labels!['app.kubernetes.io/name'] = 'user'), /Deployment\/users: selector/],
        ['a Service selecting no pods', 'services', (m) => (objectOf(m, 'Service', 'products').spec!.selector!['app.kubernetes.io/name'] = 'product'), /Service\/products: selects the pods of 0/],
        ['a Service on an undeclared port', 'services', (m) => (objectOf(m, 'Service', 'orders').spec!.ports![0]!.targetPort = 'web'), /Service\/orders: port http targets web/],
        ['a Deployment that sets replicas', 'availability', (m) => (objectOf(m, 'Deployment', 'gateway').spec!.replicas = 3), /Deployment\/gateway: sets replicas/],
        ['a budget that blocks every drain', 'availability', (m) => (objectOf(m, 'PodDisruptionBudget', 'users').spec = { minAvailable: 2, selector: objectOf(m, 'PodDisruptionBudget', 'users').spec!.selector! }), /PodDisruptionBudget\/users: does not let/],
        ['an autoscaler on memory', 'availability', (m) => (objectOf(m, 'HorizontalPodAutoscaler', 'products').spec.metrics![0]!.resource!.name = 'memory'), /HorizontalPodAutoscaler\/products: does not scale on CPU/],
        ['an autoscaler aimed at nothing', 'targets', (m) => (objectOf(m, 'HorizontalPodAutoscaler', 'orders').spec.scaleTargetRef.name = 'order'), /HorizontalPodAutoscaler\/orders: targets apps\/v1\/Deployment\/order/],
        ['a container running as root', 'security', (m) => (objectOf(m, 'Deployment', 'gateway').spec!.template.spec!.securityContext!.runAsUser = 0), /Deployment\/gateway container gateway: no non-zero runAsUser/],
        ['a writable root filesystem', 'security', (m) => (containerOf(m, 'orders').securityContext!.readOnlyRootFilesystem = false), /Deployment\/orders container orders: root filesystem is writable/],
        ['a missing memory limit', 'security', (m) => delete containerOf(m, 'products').resources!.limits!.memory, /Deployment\/products container products: no memory request and limit/],
        ['a missing readiness probe', 'probes', (m) => delete containerOf(m, 'users').readinessProbe, /Deployment\/users container users: no readinessProbe/],
        ['liveness on /ready', 'configuration', (m) => (containerOf(m, 'gateway').livenessProbe!.httpGet!.path = '/ready'), /Deployment\/gateway: livenessProbe is not GET \/health/],
        ['a secret written into the manifest', 'secrets', (m) => {
          const variable = envOf(m, 'orders', 'SERVICE_CREDENTIAL');
          delete variable.valueFrom;
          variable.value = hex(32);
        }, /Deployment\/orders container orders: SERVICE_CREDENTIAL not taken from a Secret/],
        ['a password in a URL', 'secrets', (m) => (envOf(m, 'gateway', 'USERS_URL').value = 'http://shop:hunter22@users:4001'), /Deployment\/gateway: holds a private key or a URL with a password/],
        ['a misspelt variable', 'configuration', (m) => (envOf(m, 'gateway', 'TRUSTED_PROXIES').name = 'TRUSTED_PROXY'), /Deployment\/gateway: TRUSTED_PROXY is not a variable gateway reads/],
        ['a misspelt subgraph override', 'configuration', (m) => containerOf(m, 'gateway').env!.push({ name: 'SUBGRAPH_USERS_ULR', value: 'http://users:4001/graphql' }), /Deployment\/gateway: SUBGRAPH_USERS_ULR is not a variable gateway reads/],
        ['a value the service refuses', 'configuration', (m) => (envOf(m, 'users', 'SHUTDOWN_TIMEOUT_MS').value = 'soon'), /Deployment\/users: Invalid configuration:\n\s+- SHUTDOWN_TIMEOUT_MS/],
        ['a URL to no Service', 'configuration', (m) => (envOf(m, 'orders', 'PRODUCTS_URL').value = 'http://product:4002'), /Deployment\/orders: PRODUCTS_URL http:\/\/product:4002 does not reach products/],
        ['the metrics port on the Service', 'configuration', (m) => objectOf(m, 'Service', 'gateway').spec!.ports!.push({ name: 'metrics', port: 9400, targetPort: 'metrics' }), /Service\/gateway: exposes the metrics port/],
        ['a grace period shorter than the drain', 'shutdown', (m) => (objectOf(m, 'Deployment', 'users').spec!.template.spec!.terminationGracePeriodSeconds = 15), /Deployment\/users: terminationGracePeriodSeconds 15 s/],
        ['no pause before SIGTERM', 'shutdown', (m) => delete containerOf(m, 'products').lifecycle, /Deployment\/products: no preStop pause/],
        ['service links left on', 'pods', (m) => (objectOf(m, 'Deployment', 'orders').spec!.template.spec!.enableServiceLinks = true), /Deployment\/orders: service links enabled/],
        ['no writable /tmp', 'pods', (m) => (containerOf(m, 'users').volumeMounts = []), /Deployment\/users container users: no emptyDir at \/tmp/],
        ['the supergraph mounted by subPath', 'supergraph', (m) => (containerOf(m, 'gateway').volumeMounts![0]!.subPath = 'supergraph.graphql'), /subPath/],
        ['a stale supergraph', 'supergraph', (m) => (objectOf(m, 'ConfigMap', 'supergraph').data!['supergraph.graphql'] = 'schema { query: Query }'), /ConfigMap\/supergraph: supergraph.graphql is not the repository's/],
        ['NODE_ENV left unset on 0.0.0.0', 'configuration', (m) => (containerOf(m, 'users').env = containerOf(m, 'users').env!.filter((variable) => variable.name !== 'NODE_ENV')), /Deployment\/users: Invalid configuration:\n\s+- NODE_ENV: unset while HOST=0.0.0.0/],
        ['no default deny', 'network', (m) => (m.objects = m.objects.filter((object) => object.metadata?.name !== 'default-deny-ingress')), /no NetworkPolicy denies ingress by default/],
        ['a workload without a policy of its own', 'network', (m) => (m.objects = m.objects.filter((object) => object.metadata?.name !== 'orders-from-shop')), /Deployment\/orders: no NetworkPolicy of its own/],
        ['a port open to every source', 'network', (m) => delete objectOf(m, 'NetworkPolicy', 'users-from-shop').spec!.ingress![0]!.from, /Deployment\/users port http: reachable from .*an address outside the cluster/],
        ['a port open to every namespace', 'network', (m) => (objectOf(m, 'NetworkPolicy', 'products-from-shop').spec!.ingress![0]!.from![0] = { namespaceSelector: {} }), /Deployment\/products port http: reachable from a pod named ingress-nginx elsewhere/],
        ['the ingress selected by namespace alone', 'network', (m) => delete objectOf(m, 'NetworkPolicy', 'gateway-from-ingress').spec!.ingress![0]!.from![0]!.podSelector, /Deployment\/gateway port http: reachable from another pod in the ingress namespace/],
        ['metrics open to the gateway', 'network', (m) => objectOf(m, 'NetworkPolicy', 'orders-from-shop').spec!.ingress![1]!.from!.push({ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'gateway' } } }), /Deployment\/orders port metrics: reachable from Prometheus, gateway, not only Prometheus/],
        ['a policy on an undeclared port', 'network', (m) => (objectOf(m, 'NetworkPolicy', 'orders-from-shop').spec!.ingress![0]!.ports![0]!.port = 'web'), /NetworkPolicy\/orders-from-shop: port web is not one its pods declare/],
        ['a peer no workload is', 'network', (m) => (objectOf(m, 'NetworkPolicy', 'products-from-shop').spec!.ingress![0]!.from![1]!.podSelector!.matchLabels!['app.kubernetes.io/name'] = 'order'), /NetworkPolicy\/products-from-shop: admits pods .*order"/],
        ['trust in every private address', 'edge', (m) => (envOf(m, 'gateway', 'TRUSTED_PROXIES').value = 'uniquelocal'), /Deployment\/gateway: TRUSTED_PROXIES trusts uniquelocal/],
        ['trust in two hops', 'edge', (m) => (envOf(m, 'gateway', 'TRUSTED_PROXIES').value = '2'), /Deployment\/gateway: TRUSTED_PROXIES=2 trusts 2 hops/],
        ['trust in a whole private network', 'edge', (m) => (envOf(m, 'gateway', 'TRUSTED_PROXIES').value = '10.0.0.0/8'), /Deployment\/gateway: TRUSTED_PROXIES trusts 10.0.0.0\/8/],
        ['trust in every address', 'edge', (m) => (envOf(m, 'gateway', 'TRUSTED_PROXIES').value = '::/0'), /Deployment\/gateway: TRUSTED_PROXIES trusts ::\/0/],
        ['no trusted proxy', 'edge', (m) => (containerOf(m, 'gateway').env = containerOf(m, 'gateway').env!.filter((variable) => variable.name !== 'TRUSTED_PROXIES')), /Deployment\/gateway: no TRUSTED_PROXIES/],
        ['an unpinned image', 'images', (m) => (containerOf(m, 'users').image = 'registry.example.com/shop/users:latest'), /Deployment\/users container users: image .* is not pinned/],
      ];

      it.each(mutations)('%s (%s)', async (_what, rule, mutate, problem) => {
        const broken = structuredClone(manifests!.production);
        mutate(broken);
        expect((await RULES[rule](broken, context)).join('\n')).toMatch(problem);
      });
    });
  });
});
