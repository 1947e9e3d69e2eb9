import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { Deployment, StatefulSet, type IDeployment, type IStatefulSet } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler, type IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget, type IPodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { NetworkPolicy, type INetworkPolicy, type INetworkPolicyPeer, type INetworkPolicyPort } from 'kubernetes-models/networking.k8s.io/v1';
import { ConfigMap, Service, type IConfigMap, type IContainer, type IContainerPort, type IEnvVar, type IPodTemplateSpec, type IProbe, type IService } from 'kubernetes-models/v1';
import { SUBGRAPH_NAMES, type ServiceName } from '@shop/service-kit/definitions';
import { ROOT } from '../../scripts/root.js';
import { gatewayService, SUBGRAPH_SERVICES } from '../../scripts/services.js';

export const KUBERNETES_DIR = join(ROOT, 'deploy', 'kubernetes');
export const OVERLAYS = ['dev', 'production'] as const;
export type Overlay = (typeof OVERLAYS)[number];

/** The shop's own services; everything else in an overlay (databases, Redis, NATS) is infrastructure. */
export const SERVICES = ['gateway', ...SUBGRAPH_NAMES] as const satisfies readonly ServiceName[];
const definitionOf = (name: ServiceName) => (name === 'gateway' ? gatewayService : SUBGRAPH_SERVICES[name]);

// ---------------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------------

/** What renders a kustomization here: kubectl's built-in kustomize, or a kustomize binary. */
interface Renderer {
  name: string;
  render(directory: string): Promise<string>;
}

const isExecutable = (path: string) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};
const onPath = (command: string) =>
  (process.env.PATH ?? '').split(delimiter).some((folder) => folder !== '' && isExecutable(join(folder, command)));

/**
 * `kubectl kustomize` (kubectl 1.14+ carries kustomize), else `kustomize build`; null when neither is
 * installed. No maintained npm package ships kustomize, so the tests use what the machine has.
 */
export function findRenderer(): Renderer | null {
  const run = (command: string, args: string[]) => async (directory: string) =>
    (await promisify(execFile)(command, [...args, directory], { maxBuffer: 16 * 1024 * 1024 })).stdout;
  if (onPath('kubectl')) return { name: 'kubectl kustomize', render: run('kubectl', ['kustomize']) };
  if (onPath('kustomize')) return { name: 'kustomize build', render: run('kustomize', ['build']) };
  return null;
}

/** The kinds the overlays may hold, each with the kubernetes-models class that validates it. */
const MODELS = {
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'v1/Service': Service,
  'v1/ConfigMap': ConfigMap,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
} as const;

export type KubernetesObject = IDeployment | IStatefulSet | IService | IConfigMap | IPodDisruptionBudget | IHorizontalPodAutoscaler | INetworkPolicy;
type Workload = IDeployment | IStatefulSet;

/** One overlay as `kubectl apply -k` would send it. */
export interface Manifest {
  overlay: Overlay;
  /** As parsed: validated by the `schema` rule, which every other rule trusts for shapes. */
  objects: KubernetesObject[];
}

export async function renderOverlay(renderer: Renderer, overlay: Overlay): Promise<Manifest> {
  const documents = parseAllDocuments(await renderer.render(join(KUBERNETES_DIR, 'overlays', overlay)));
  const objects = documents.map((document) => {
    if (document.errors.length > 0) throw new Error(`${overlay}: ${document.errors.map((error) => error.message).join('; ')}`);
    // Parsed YAML; the `schema` rule checks each object against its kind's schema before any other rule reads it.
    return document.toJS() as KubernetesObject;
  });
  return { overlay, objects };
}

// ---------------------------------------------------------------------------------------------
// Reading the objects
// ---------------------------------------------------------------------------------------------

const idOf = (object: { kind: string; metadata?: { name?: string | undefined } | undefined }) => `${object.kind}/${object.metadata?.name ?? '(no name)'}`;
const nameOf = (object: { metadata?: { name?: string | undefined } | undefined }) => object.metadata?.name ?? '';

export const workloadsOf = (manifest: Manifest) =>
  manifest.objects.filter((object): object is Workload => object.kind === 'Deployment' || object.kind === 'StatefulSet');
const servicesOf = (manifest: Manifest) => manifest.objects.filter((object): object is IService => object.kind === 'Service');
const pdbsOf = (manifest: Manifest) => manifest.objects.filter((object): object is IPodDisruptionBudget => object.kind === 'PodDisruptionBudget');
const hpasOf = (manifest: Manifest) => manifest.objects.filter((object): object is IHorizontalPodAutoscaler => object.kind === 'HorizontalPodAutoscaler');
const networkPoliciesOf = (manifest: Manifest) => manifest.objects.filter((object): object is INetworkPolicy => object.kind === 'NetworkPolicy');
export const configMapsOf = (manifest: Manifest) => manifest.objects.filter((object): object is IConfigMap => object.kind === 'ConfigMap');

/** The Deployment of one of the shop's services, if the overlay has it. */
const deploymentOf = (manifest: Manifest, service: ServiceName) =>
  manifest.objects.find((object): object is IDeployment => object.kind === 'Deployment' && nameOf(object) === service);

const templateOf = (workload: Workload): IPodTemplateSpec => workload.spec?.template ?? {};
export const containersOf = (workload: Workload): IContainer[] => templateOf(workload).spec?.containers ?? [];
const podLabelsOf = (workload: Workload) => templateOf(workload).metadata?.labels ?? {};

/** Whether a label selector (matchLabels only) picks pods with these labels. */
const selects = (selector: Record<string, string> | undefined, labels: Record<string, string>) =>
  selector !== undefined && Object.keys(selector).length > 0 && Object.entries(selector).every(([key, value]) => labels[key] === value);
const workloadsSelectedBy = (manifest: Manifest, selector: Record<string, string> | undefined) =>
  workloadsOf(manifest).filter((workload) => selects(selector, podLabelsOf(workload)));

/** A container port by name or number, as a Service's targetPort or a probe's port names it. */
const containerPort = (container: IContainer, port: number | string | undefined) =>
  container.ports?.find((candidate) => (typeof port === 'number' ? candidate.containerPort === port : candidate.name === port))?.containerPort;

const SHOP_SERVICE_NAMES = new Set<string>(SERVICES);
export const isShopService = (workload: Workload) => workload.kind === 'Deployment' && SHOP_SERVICE_NAMES.has(nameOf(workload));

// ---------------------------------------------------------------------------------------------
// Environments, with secrets replaced by values of the right shape
// ---------------------------------------------------------------------------------------------

/** Values an operator would put in each secret key the manifests reference (docs/run/kubernetes.md). */
export type SecretValues = Record<string, (service: string) => string>;

/**
 * A container's environment as the service would see it, each secret reference replaced by a
 * plausible value for its key; problems for whatever cannot be resolved so.
 */
function environmentOf(container: IContainer, secretValues: SecretValues): { env: Record<string, string>; problems: string[] } {
  const env: Record<string, string> = {};
  const problems: string[] = [];
  // envFrom would hide which variables a service gets from this check (and from a reader).
  if (container.envFrom !== undefined) problems.push(`container ${container.name}: envFrom; name each variable under env`);
  for (const variable of container.env ?? []) {
    const secret = variable.valueFrom?.secretKeyRef;
    const value = secret ? secretValues[secret.key]?.(container.name) : variable.valueFrom ? undefined : (variable.value ?? '');
    if (value === undefined) problems.push(`${variable.name}: no plausible value for ${JSON.stringify(variable.valueFrom)}`);
    else env[variable.name] = value;
  }
  return { env, problems };
}

/** Each shop service's configuration as its own loadConfig reads its Deployment's environment. */
export async function configsOf(manifest: Manifest, secretValues: SecretValues) {
  const configs = new Map<ServiceName, Record<string, unknown>>();
  const problems: string[] = [];
  for (const service of SERVICES) {
    const deployment = deploymentOf(manifest, service);
    const container = deployment ? containersOf(deployment).find((candidate) => candidate.name === service) : undefined;
    if (!container) {
      problems.push(`Deployment/${service}: no container named ${service}`);
      continue;
    }
    const { env, problems: envProblems } = environmentOf(container, secretValues);
    problems.push(...envProblems.map((problem) => `Deployment/${service}: ${problem}`));
    try {
      const config = (await definitionOf(service).loadConfig(env)) as Record<string, unknown>;
      configs.set(service, config);
      // loadConfig drops variables it does not know: a misspelt one would pass unseen. The
      // gateway's SUBGRAPH_<NAME>_URL overrides are read by their form, into subgraphOverrides.
      const endpointOverrides = (config.subgraphOverrides as { endpoints?: Record<string, string> } | undefined)?.endpoints ?? {};
      for (const name of Object.keys(env)) {
        if (!(name in config) && !(name in endpointOverrides)) problems.push(`Deployment/${service}: ${name} is not a variable ${service} reads`);
      }
    } catch (error) {
      problems.push(`Deployment/${service}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return { configs, problems };
}

// ---------------------------------------------------------------------------------------------
// Rules: each returns its problems, naming the object; none is an empty list.
// ---------------------------------------------------------------------------------------------

export interface RuleContext {
  secretValues: SecretValues;
  /** The repository's supergraph.graphql, which the gateway's ConfigMap must carry. */
  supergraph: string;
}
type Rule = (manifest: Manifest, context: RuleContext) => string[] | Promise<string[]>;

/** Every object is of a kind we expect and valid against that kind's Kubernetes schema. */
const schema: Rule = (manifest) =>
  manifest.objects.flatMap((object) => {
    const raw = object as { apiVersion?: unknown; kind?: unknown };
    const key = `${String(raw.apiVersion)}/${String(raw.kind)}`;
    if (raw.kind === 'Secret') return [`${idOf(object)}: a Secret in the manifests; secrets are created outside them and referenced`];
    const Model = (MODELS as Record<string, (typeof MODELS)[keyof typeof MODELS] | undefined>)[key];
    if (!Model) return [`${idOf(object)}: ${key} is not a kind these manifests should hold`];
    if (!object.metadata?.name) return [`${idOf(object)}: no metadata.name`];
    try {
      // Each class validates its own kind; the union of their constructors takes no common argument type.
      new (Model as new (data: unknown) => { validate(): void })(object).validate();
      return [];
    } catch (error) {
      return [`${idOf(object)}: ${error instanceof Error ? error.message : String(error)}`];
    }
  });

const RECOMMENDED_LABELS = ['app.kubernetes.io/name', 'app.kubernetes.io/part-of'];
/** Every object, and every pod a workload makes, says what it is and that it is the shop's. */
const labels: Rule = (manifest) =>
  manifest.objects.flatMap((object) => {
    const labelSets: [string, Record<string, string>][] = [[idOf(object), object.metadata?.labels ?? {}]];
    if (object.kind === 'Deployment' || object.kind === 'StatefulSet') labelSets.push([`${idOf(object)} pod template`, podLabelsOf(object)]);
    return labelSets.flatMap(([where, set]) => [
      ...RECOMMENDED_LABELS.filter((label) => !set[label]).map((label) => `${where}: no label ${label}`),
      ...(set['app.kubernetes.io/part-of'] && set['app.kubernetes.io/part-of'] !== 'shop' ? [`${where}: part-of is not shop`] : []),
    ]);
  });

/** A workload's selector picks its own pods (and only by labels), as do its spread constraints. */
const selectors: Rule = (manifest) =>
  workloadsOf(manifest).flatMap((workload) => {
    const problems: string[] = [];
    const selector = workload.spec?.selector;
    if (selector?.matchExpressions) problems.push(`${idOf(workload)}: matchExpressions (select by matchLabels)`);
    if (!selects(selector?.matchLabels, podLabelsOf(workload))) problems.push(`${idOf(workload)}: selector does not match its pod template's labels`);
    if (workloadsSelectedBy(manifest, selector?.matchLabels).length > 1) problems.push(`${idOf(workload)}: selector also picks another workload's pods`);
    for (const constraint of templateOf(workload).spec?.topologySpreadConstraints ?? []) {
      if (!selects(constraint.labelSelector?.matchLabels, podLabelsOf(workload))) problems.push(`${idOf(workload)}: a topology spread constraint selects other pods`);
    }
    return problems;
  });

/** Every Service picks the pods of one workload, on ports those pods declare. */
const services: Rule = (manifest) =>
  servicesOf(manifest).flatMap((service) => {
    const selected = workloadsSelectedBy(manifest, service.spec?.selector);
    if (selected.length !== 1) return [`${idOf(service)}: selects the pods of ${selected.length} workloads, not one`];
    const [workload] = selected as [Workload];
    return (service.spec?.ports ?? []).flatMap((port) => {
      const target = port.targetPort ?? port.port;
      return containersOf(workload).some((container) => containerPort(container, target) !== undefined)
        ? []
        : [`${idOf(service)}: port ${port.name ?? port.port} targets ${target}, which ${idOf(workload)}'s containers do not declare`];
    });
  });

/**
 * The gateway and each subgraph: a Deployment behind a Service, one PodDisruptionBudget that lets
 * one pod go at a time, one autoscaling/v2 HorizontalPodAutoscaler on CPU that owns the replica count.
 */
const availability: Rule = (manifest) =>
  SERVICES.flatMap((service) => {
    const deployment = deploymentOf(manifest, service);
    if (!deployment) return [`Deployment/${service}: missing`];
    const problems: string[] = [];
    const pods = podLabelsOf(deployment);
    if (!servicesOf(manifest).some((candidate) => selects(candidate.spec?.selector, pods))) problems.push(`${idOf(deployment)}: no Service routes to it`);

    const hpas = hpasOf(manifest).filter((hpa) => hpa.spec?.scaleTargetRef.kind === 'Deployment' && hpa.spec.scaleTargetRef.name === service);
    if (hpas.length !== 1) problems.push(`${idOf(deployment)}: ${hpas.length} HorizontalPodAutoscalers target it, not one`);
    for (const hpa of hpas) {
      const spec = hpa.spec;
      const onCpu = spec.metrics?.some((metric) => metric.type === 'Resource' && metric.resource?.name === 'cpu' && metric.resource.target.type === 'Utilization');
      if (!onCpu) problems.push(`${idOf(hpa)}: does not scale on CPU utilization`);
      if ((spec.minReplicas ?? 1) > spec.maxReplicas) problems.push(`${idOf(hpa)}: minReplicas above maxReplicas`);
    }

    const pdbs = pdbsOf(manifest).filter((pdb) => selects(pdb.spec?.selector?.matchLabels, pods));
    if (pdbs.length !== 1) problems.push(`${idOf(deployment)}: ${pdbs.length} PodDisruptionBudgets select its pods, not one`);
    const minReplicas = hpas[0]?.spec?.minReplicas ?? 1;
    for (const pdb of pdbs) {
      // One pod may go at a time, and one always may: a budget that allows none blocks every node's drain.
      const { maxUnavailable, minAvailable } = pdb.spec ?? {};
      const oneAtATime = maxUnavailable === 1 || (typeof minAvailable === 'number' && minAvailable >= 1 && minAvailable < minReplicas);
      if (!oneAtATime) problems.push(`${idOf(pdb)}: does not let exactly one pod go at a time (maxUnavailable 1, or minAvailable 1 below minReplicas)`);
    }
    // With an autoscaler the count is its own: `replicas` here would reset it on every apply.
    if (deployment.spec?.replicas !== undefined) problems.push(`${idOf(deployment)}: sets replicas, which its HorizontalPodAutoscaler owns`);
    // Utilization is measured against requests: without a CPU request the autoscaler cannot act.
    for (const container of containersOf(deployment)) if (container.resources?.requests?.cpu === undefined) problems.push(`${idOf(deployment)}: container ${container.name} requests no CPU`);
    return problems;
  });

/** Every HorizontalPodAutoscaler and PodDisruptionBudget acts on something that exists. */
const targets: Rule = (manifest) => [
  ...hpasOf(manifest).flatMap((hpa) => {
    const ref = hpa.spec?.scaleTargetRef;
    const found = workloadsOf(manifest).some((workload) => workload.kind === ref?.kind && nameOf(workload) === ref.name && ref.apiVersion === 'apps/v1');
    return found ? [] : [`${idOf(hpa)}: targets ${ref?.apiVersion}/${ref?.kind}/${ref?.name}, which is not in the manifests`];
  }),
  ...pdbsOf(manifest).flatMap((pdb) =>
    workloadsSelectedBy(manifest, pdb.spec?.selector?.matchLabels).length === 1 ? [] : [`${idOf(pdb)}: does not select the pods of exactly one workload`],
  ),
];

/** No container runs as root, escalates, keeps capabilities or writes to its image; each is sized. */
const security: Rule = (manifest) =>
  workloadsOf(manifest).flatMap((workload) => {
    const pod = templateOf(workload).spec;
    return [...containersOf(workload), ...(pod?.initContainers ?? [])].flatMap((container) => {
      const where = `${idOf(workload)} container ${container.name}`;
      const context = { ...pod?.securityContext, ...container.securityContext };
      const problems: string[] = [];
      if (context.runAsNonRoot !== true) problems.push(`${where}: runAsNonRoot is not true`);
      if (context.runAsUser === undefined || context.runAsUser === 0) problems.push(`${where}: no non-zero runAsUser`);
      if (container.securityContext?.readOnlyRootFilesystem !== true) problems.push(`${where}: root filesystem is writable`);
      if (container.securityContext?.allowPrivilegeEscalation !== false) problems.push(`${where}: privilege escalation allowed`);
      if (container.securityContext?.privileged === true) problems.push(`${where}: privileged`);
      if (!container.securityContext?.capabilities?.drop?.includes('ALL')) problems.push(`${where}: capabilities not dropped`);
      if (pod?.hostNetwork === true || pod?.hostPID === true) problems.push(`${where}: shares the host's namespaces`);
      for (const resource of ['cpu', 'memory'] as const) {
        const request = container.resources?.requests?.[resource];
        const limit = container.resources?.limits?.[resource];
        if (request === undefined || limit === undefined) problems.push(`${where}: no ${resource} request and limit`);
        else if (quantity(request) > quantity(limit)) problems.push(`${where}: ${resource} request ${request} above its limit ${limit}`);
      }
      return problems;
    });
  });

const QUANTITY_SUFFIXES: Record<string, number> = { m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30 };
/** A Kubernetes quantity ("250m", "1", "128Mi") as a number; the schema rule has checked its form. */
function quantity(value: number | string): number {
  const [, amount, suffix] = /^([\d.]+)([a-zA-Z]*)$/.exec(String(value)) ?? [];
  const factor = QUANTITY_SUFFIXES[suffix ?? ''];
  if (amount === undefined || factor === undefined) throw new Error(`quantity ${value} not understood by this test`);
  return Number(amount) * factor;
}

/** Every container has a startup, a liveness and a readiness probe. */
const probes: Rule = (manifest) =>
  workloadsOf(manifest).flatMap((workload) =>
    containersOf(workload).flatMap((container) =>
      (['startupProbe', 'livenessProbe', 'readinessProbe'] as const)
        .filter((probe) => !hasHandler(container[probe]))
        .map((probe) => `${idOf(workload)} container ${container.name}: no ${probe}`),
    ),
  );
const hasHandler = (probe: IProbe | undefined) => probe !== undefined && (probe.httpGet ?? probe.exec ?? probe.tcpSocket ?? probe.grpc) !== undefined;

/**
 * Secrets only by reference: no Secret object, no secret-looking variable with a value, and no
 * private key or password-bearing URL anywhere in the manifests.
 */
const SECRET_NAME = /PASSWORD|SECRET|CREDENTIAL|PRIVATE_KEY|TOKEN|DATABASE_URL|REDIS_URL|NATS_URL/;
const secrets: Rule = (manifest) => [
  ...workloadsOf(manifest).flatMap((workload) =>
    containersOf(workload).flatMap((container) =>
      (container.env ?? [])
        .filter((variable: IEnvVar) => SECRET_NAME.test(variable.name) && variable.valueFrom?.secretKeyRef === undefined)
        .map((variable) => `${idOf(workload)} container ${container.name}: ${variable.name} not taken from a Secret`),
    ),
  ),
  ...manifest.objects.flatMap((object) =>
    stringsIn(object)
      .filter((text) => /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text) || /[a-z]+:\/\/[^/\s:@]*:[^/\s@]+@/.test(text))
      .map(() => `${idOf(object)}: holds a private key or a URL with a password`),
  ),
];
const stringsIn = (value: unknown): string[] =>
  typeof value === 'string' ? [value] : typeof value === 'object' && value !== null ? Object.values(value).flatMap(stringsIn) : [];

/**
 * Each service's environment is one its own configuration accepts, every variable one it reads,
 * and the ports, probes, metrics and neighbours the manifests give it agree with that configuration.
 */
const configuration: Rule = async (manifest, context) => {
  const { configs, problems } = await configsOf(manifest, context.secretValues);
  for (const [service, config] of configs) {
    const deployment = deploymentOf(manifest, service)!;
    const container = containersOf(deployment).find((candidate) => candidate.name === service)!;
    const where = idOf(deployment);
    const http = containerPort(container, 'http');
    const metrics = containerPort(container, 'metrics');
    if (http !== config.PORT) problems.push(`${where}: container port http is ${http}, PORT is ${String(config.PORT)}`);
    if (metrics !== config.METRICS_PORT) problems.push(`${where}: container port metrics is ${metrics}, METRICS_PORT is ${String(config.METRICS_PORT)}`);
    if (config.HOST !== '0.0.0.0' && config.HOST !== '::') problems.push(`${where}: HOST ${String(config.HOST)} is not reachable from other pods`);
    // Metrics are for scrapers, never on the Service clients reach.
    for (const service of servicesOf(manifest).filter((candidate) => selects(candidate.spec?.selector, podLabelsOf(deployment)))) {
      for (const port of service.spec?.ports ?? []) if (containerPort(container, port.targetPort ?? port.port) === config.METRICS_PORT) problems.push(`${idOf(service)}: exposes the metrics port`);
    }
    // Liveness and start-up on /health, readiness on /ready, on the service's own port.
    for (const [probe, path] of [['startupProbe', '/health'], ['livenessProbe', '/health'], ['readinessProbe', '/ready']] as const) {
      const get = container[probe]?.httpGet;
      if (get?.path !== path || containerPort(container, get.port) !== config.PORT) problems.push(`${where}: ${probe} is not GET ${path} on PORT`);
    }
    // Subgraphs keep their data in PostgreSQL: PGlite would be one database per pod, on a read-only filesystem.
    if (service !== 'gateway' && typeof config.DATABASE_URL !== 'string') problems.push(`${where}: no DATABASE_URL (PGlite)`);
    // Every other service it calls, by the Service of that name on that service's port.
    for (const other of SERVICES) {
      const url = config[`${other.toUpperCase()}_URL`];
      if (typeof url !== 'string') continue;
      const { hostname, port } = new URL(url);
      const target = servicesOf(manifest).find((candidate) => nameOf(candidate) === hostname);
      const otherDeployment = deploymentOf(manifest, other);
      const routes =
        target !== undefined &&
        otherDeployment !== undefined &&
        selects(target.spec?.selector, podLabelsOf(otherDeployment)) &&
        (target.spec?.ports ?? []).some((candidate) => String(candidate.port) === port);
      if (!routes) problems.push(`${where}: ${other.toUpperCase()}_URL ${url} does not reach ${other} through its Service`);
    }
  }
  return problems;
};

/** Room to drain: the kubelet's SIGKILL comes after preStop, SHUTDOWN_TIMEOUT_MS and the 5 s a service may take to close. */
const CLOSE_BOUND_MS = 5_000;
const shutdown: Rule = async (manifest, context) => {
  const { configs } = await configsOf(manifest, context.secretValues);
  return SERVICES.flatMap((service) => {
    const deployment = deploymentOf(manifest, service);
    const config = configs.get(service);
    if (!deployment || !config) return []; // `availability` and `configuration` report these
    const pod = templateOf(deployment).spec;
    const container = containersOf(deployment).find((candidate) => candidate.name === service);
    const problems: string[] = [];
    const pauseMs = preStopPauseMs(container);
    // Endpoints are removed while the pod terminates, asynchronously: a pause keeps the port open until they are.
    if (pauseMs === 0) problems.push(`${idOf(deployment)}: no preStop pause for its endpoint's removal`);
    const graceMs = (pod?.terminationGracePeriodSeconds ?? 30) * 1000;
    const neededMs = pauseMs + Number(config.SHUTDOWN_TIMEOUT_MS) + CLOSE_BOUND_MS;
    if (graceMs <= neededMs) problems.push(`${idOf(deployment)}: terminationGracePeriodSeconds ${graceMs / 1000} s is not longer than preStop + SHUTDOWN_TIMEOUT_MS + closing (${neededMs / 1000} s)`);
    return problems;
  });
};
function preStopPauseMs(container: IContainer | undefined): number {
  const preStop = container?.lifecycle?.preStop;
  if (preStop?.sleep) return preStop.sleep.seconds * 1000;
  const [command, seconds] = preStop?.exec?.command ?? [];
  return command === 'sleep' && seconds !== undefined && /^\d+$/.test(seconds) ? Number(seconds) * 1000 : 0;
}

/** The shop's pods: no API token, no injected service links, a writable /tmp on a read-only image. */
const pods: Rule = (manifest) =>
  workloadsOf(manifest)
    .filter(isShopService)
    .flatMap((workload) => {
      const pod = templateOf(workload).spec;
      const problems: string[] = [];
      if (pod?.automountServiceAccountToken !== false) problems.push(`${idOf(workload)}: mounts a service-account token it never uses`);
      // <SERVICE>_PORT=tcp://… for every Service in the namespace would land in the configuration's namespace of names.
      if (pod?.enableServiceLinks !== false) problems.push(`${idOf(workload)}: service links enabled`);
      for (const container of containersOf(workload)) {
        const tmp = container.volumeMounts?.find((mount) => mount.mountPath === '/tmp');
        const volume = pod?.volumes?.find((candidate) => candidate.name === tmp?.name);
        if (volume?.emptyDir === undefined) problems.push(`${idOf(workload)} container ${container.name}: no emptyDir at /tmp`);
      }
      return problems;
    });

/**
 * The gateway reads the supergraph from a ConfigMap mounted as a directory under a stable name
 * (a subPath mount or a hashed name would never see an update), and that ConfigMap is the
 * repository's supergraph.graphql.
 */
const SUPERGRAPH_CONFIG_MAP = 'supergraph';
const supergraph: Rule = async (manifest, context) => {
  const gateway = deploymentOf(manifest, 'gateway');
  const { configs } = await configsOf(manifest, context.secretValues);
  const path = configs.get('gateway')?.SUPERGRAPH_PATH;
  if (!gateway || typeof path !== 'string') return ['Deployment/gateway: no SUPERGRAPH_PATH'];
  const container = containersOf(gateway).find((candidate) => candidate.name === 'gateway');
  const mount = container?.volumeMounts?.find((candidate) => path.startsWith(`${candidate.mountPath.replace(/\/$/, '')}/`));
  const volume = templateOf(gateway).spec?.volumes?.find((candidate) => candidate.name === mount?.name);
  if (!mount || !volume?.configMap) return [`Deployment/gateway: SUPERGRAPH_PATH ${path} is not on a ConfigMap volume`];
  const problems: string[] = [];
  if (mount.subPath !== undefined || mount.subPathExpr !== undefined) problems.push('Deployment/gateway: the supergraph is mounted by subPath, which never receives updates');
  if (volume.configMap.name !== SUPERGRAPH_CONFIG_MAP) problems.push(`Deployment/gateway: mounts ConfigMap ${volume.configMap.name}, not the stable ${SUPERGRAPH_CONFIG_MAP}`);
  const key = path.slice(mount.mountPath.replace(/\/$/, '').length + 1);
  const configMap = configMapsOf(manifest).find((candidate) => nameOf(candidate) === volume.configMap?.name);
  if (!configMap) problems.push(`Deployment/gateway: ConfigMap ${volume.configMap.name} is not in the manifests`);
  else if (configMap.data?.[key] !== context.supergraph) problems.push(`${idOf(configMap)}: ${key} is not the repository's supergraph.graphql`);
  return problems;
};

/** Every image names a tag (never `latest`) or a digest: what runs is what was reviewed. */
const images: Rule = (manifest) =>
  workloadsOf(manifest).flatMap((workload) =>
    containersOf(workload)
      .filter((container) => !/(:[\w][\w.-]*|@sha256:[0-9a-f]{64})$/.test(container.image?.split('/').at(-1) ?? '') || container.image?.endsWith(':latest'))
      .map((container) => `${idOf(workload)} container ${container.name}: image ${container.image} is not pinned`),
  );

// ---------------------------------------------------------------------------------------------
// Network policies: who may open a connection to which port, as a CNI enforcing them decides
// ---------------------------------------------------------------------------------------------

type LabelSelector = NonNullable<INetworkPolicyPeer['podSelector']>;

/** Something that may try to connect: a pod (in a namespace, with labels) or an address outside the cluster. */
export interface Source {
  name: string;
  pod?: { namespaceLabels: Record<string, string>; labels: Record<string, string> };
}

const namespaceLabels = (namespace: string) => ({ 'kubernetes.io/metadata.name': namespace });

/**
 * The ingress controller and Prometheus as base/network-policies.yaml documents them, and strangers
 * no policy should admit: pods that carry one of those names in the wrong place, and the internet.
 */
export const OUTSIDE_SOURCES: Source[] = [
  { name: 'ingress controller', pod: { namespaceLabels: namespaceLabels('ingress-nginx'), labels: { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' } } },
  { name: 'Prometheus', pod: { namespaceLabels: namespaceLabels('monitoring'), labels: { 'app.kubernetes.io/name': 'prometheus' } } },
  { name: 'another pod in the ingress namespace', pod: { namespaceLabels: namespaceLabels('ingress-nginx'), labels: { 'app.kubernetes.io/name': 'cert-manager' } } },
  { name: 'a pod named ingress-nginx elsewhere', pod: { namespaceLabels: namespaceLabels('tenant'), labels: { 'app.kubernetes.io/name': 'ingress-nginx' } } },
  { name: 'a pod named prometheus elsewhere', pod: { namespaceLabels: namespaceLabels('tenant'), labels: { 'app.kubernetes.io/name': 'prometheus' } } },
  { name: 'an address outside the cluster' },
];
/** A pod of the shop's namespace that is none of its workloads (a debug pod, a compromised job). */
const STRANGER_LABELS = { 'app.kubernetes.io/name': 'debug-shell' };

const namespaceOf = (manifest: Manifest) => manifest.objects.find((object) => object.metadata?.namespace)?.metadata?.namespace ?? 'default';

/** Every source a manifest's policies are judged against: each workload's pods, a stranger beside them, and OUTSIDE_SOURCES. */
function sourcesOf(manifest: Manifest): Source[] {
  const own = namespaceLabels(namespaceOf(manifest));
  return [
    ...workloadsOf(manifest).map((workload) => ({ name: nameOf(workload), pod: { namespaceLabels: own, labels: podLabelsOf(workload) } })),
    { name: 'a stranger pod in the namespace', pod: { namespaceLabels: own, labels: STRANGER_LABELS } },
    ...OUTSIDE_SOURCES,
  ];
}

/** A label selector's verdict on a set of labels; `{}` selects everything. */
function matches(selector: LabelSelector, labels: Record<string, string>): boolean {
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
  const byExpressions = (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    const value = labels[key];
    if (operator === 'In') return value !== undefined && values.includes(value);
    if (operator === 'NotIn') return value === undefined || !values.includes(value);
    if (operator === 'Exists') return value !== undefined;
    if (operator === 'DoesNotExist') return value === undefined;
    throw new Error(`label selector operator ${operator} not understood by this test`);
  });
  return byLabels && byExpressions;
}

/** Whether one `from` entry admits `source`, for a policy in `namespace`. */
function peerAdmits(peer: INetworkPolicyPeer, source: Source, manifest: Manifest): boolean {
  // An address block: the cluster's pod addresses are unknown here, so it may admit anyone.
  if (peer.ipBlock) return true;
  if (!source.pod) return false;
  const inNamespace = peer.namespaceSelector
    ? matches(peer.namespaceSelector, source.pod.namespaceLabels)
    : source.pod.namespaceLabels['kubernetes.io/metadata.name'] === namespaceOf(manifest);
  return inNamespace && (peer.podSelector === undefined || matches(peer.podSelector, source.pod.labels));
}

/** Whether one rule's `ports` cover a container port (by name or number; none listed: every port). */
function portCovered(ports: INetworkPolicyPort[] | undefined, port: IContainerPort): boolean {
  if (!ports || ports.length === 0) return true;
  return ports.some((candidate) => {
    if ((candidate.protocol ?? 'TCP') !== (port.protocol ?? 'TCP')) return false;
    if (candidate.port === undefined) return true;
    if (typeof candidate.port === 'string') return candidate.port === port.name;
    return port.containerPort >= candidate.port && port.containerPort <= (candidate.endPort ?? candidate.port);
  });
}

const governsIngress = (policy: INetworkPolicy) => policy.spec?.policyTypes?.includes('Ingress') ?? true;
const policiesSelecting = (manifest: Manifest, workload: Workload) =>
  networkPoliciesOf(manifest).filter((policy) => governsIngress(policy) && matches(policy.spec?.podSelector ?? {}, podLabelsOf(workload)));

/** Whether `source` may connect to `port` of `workload`'s pods: anything, unless a policy selects them; then what one of those admits. */
function admitted(manifest: Manifest, workload: Workload, port: IContainerPort, source: Source): boolean {
  const policies = policiesSelecting(manifest, workload);
  if (policies.length === 0) return true;
  return policies.some((policy) =>
    (policy.spec?.ingress ?? []).some((rule) => portCovered(rule.ports, port) && (!rule.from || rule.from.length === 0 || rule.from.some((peer) => peerAdmits(peer, source, manifest)))),
  );
}

/** For each workload and each of its container ports (by name), the sources that may connect to it, sorted. */
export function reachability(manifest: Manifest): Record<string, Record<string, string[]>> {
  const sources = sourcesOf(manifest);
  return Object.fromEntries(
    workloadsOf(manifest).map((workload) => [
      nameOf(workload),
      Object.fromEntries(
        containersOf(workload)
          .flatMap((container) => container.ports ?? [])
          .map((port) => [port.name ?? String(port.containerPort), sources.filter((source) => admitted(manifest, workload, port, source)).map((source) => source.name).sort()]),
      ),
    ]),
  );
}

/**
 * Ingress is denied by default in the namespace, and every workload has a policy of its own saying
 * who may reach it, on ports it declares; no port is open to the internet, to other namespaces at
 * large or to strangers in this one; metrics ports only to Prometheus.
 */
const network: Rule = (manifest) => {
  const problems: string[] = [];
  const policies = networkPoliciesOf(manifest);
  const denyAll = policies.some((policy) => governsIngress(policy) && matches(policy.spec?.podSelector ?? {}, {}) && (policy.spec?.ingress ?? []).length === 0);
  if (!denyAll) problems.push('no NetworkPolicy denies ingress by default (podSelector {}, policyTypes [Ingress], no rules)');
  for (const policy of policies.filter((candidate) => (candidate.spec?.ingress ?? []).length > 0)) {
    const selected = workloadsOf(manifest).filter((workload) => matches(policy.spec?.podSelector ?? {}, podLabelsOf(workload)));
    if (selected.length === 0) problems.push(`${idOf(policy)}: selects no workload's pods`);
    for (const rule of policy.spec?.ingress ?? []) {
      for (const port of rule.ports ?? []) {
        const declared = selected.some((workload) => containersOf(workload).some((container) => (container.ports ?? []).some((candidate) => portCovered([port], candidate))));
        if (!declared) problems.push(`${idOf(policy)}: port ${String(port.port)} is not one its pods declare`);
      }
      for (const peer of rule.from ?? []) {
        if (peer.podSelector && peer.namespaceSelector === undefined && workloadsSelectedBy(manifest, peer.podSelector.matchLabels).length === 0) {
          problems.push(`${idOf(policy)}: admits pods ${JSON.stringify(peer.podSelector.matchLabels ?? {})}, which no workload here has`);
        }
      }
    }
  }
  const reach = reachability(manifest);
  const strangers = new Set(['a stranger pod in the namespace', ...OUTSIDE_SOURCES.filter((source) => source.name !== 'ingress controller' && source.name !== 'Prometheus').map((source) => source.name)]);
  for (const workload of workloadsOf(manifest)) {
    const own = policiesSelecting(manifest, workload).filter((policy) => (policy.spec?.ingress ?? []).length > 0);
    if (own.length === 0) problems.push(`${idOf(workload)}: no NetworkPolicy of its own says who may reach it`);
    for (const [port, sources] of Object.entries(reach[nameOf(workload)] ?? {})) {
      const open = sources.filter((source) => strangers.has(source));
      if (open.length > 0) problems.push(`${idOf(workload)} port ${port}: reachable from ${open.join(', ')}`);
      if (port === 'metrics' && sources.some((source) => source !== 'Prometheus')) problems.push(`${idOf(workload)} port metrics: reachable from ${sources.join(', ')}, not only Prometheus`);
    }
  }
  return problems;
};

/** Express's named address ranges: trusting one lets every address in it name the client. */
const TRUST_RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * The gateway trusts X-Forwarded-For from its ingress only: one hop (the only peer its policy
 * admits), or addresses and CIDRs that name that proxy; never a whole private range, everything,
 * or more hops than the one proxy in front of it.
 */
const edge: Rule = async (manifest, context) => {
  const { configs } = await configsOf(manifest, context.secretValues);
  const trusted = configs.get('gateway')?.TRUSTED_PROXIES as string[] | undefined;
  if (!trusted || trusted.length === 0) return ['Deployment/gateway: no TRUSTED_PROXIES: behind the ingress every client would count as the ingress'];
  const [first] = trusted;
  if (trusted.length === 1 && /^\d+$/.test(first!)) {
    return first === '1' ? [] : [`Deployment/gateway: TRUSTED_PROXIES=${first} trusts ${first} hops, but only the ingress controller stands in front of it`];
  }
  // Wider than a /16 (IPv4) or a /48 (IPv6): a whole private network, not the ingress controller's pods or nodes.
  const tooWide = (entry: string) => {
    const prefix = /\/(\d+)$/.exec(entry)?.[1];
    return prefix !== undefined && Number(prefix) < (entry.includes(':') ? 48 : 16);
  };
  return trusted
    .filter((entry) => TRUST_RANGE_NAMES.has(entry) || tooWide(entry))
    .map((entry) => `Deployment/gateway: TRUSTED_PROXIES trusts ${entry}, a range wider than the ingress controller`);
};

export const RULES = { schema, labels, selectors, services, availability, targets, security, probes, secrets, configuration, shutdown, pods, supergraph, images, network, edge } satisfies Record<
  string,
  Rule
>;
export type RuleName = keyof typeof RULES;
