import { ApolloGateway, type GraphQLDataSource } from '@apollo/gateway';
import { Supergraph } from '@apollo/federation-internals';
import type { QueryPlan } from '@apollo/query-planner';
import type { GatewayExecutor, GatewayInterface, GatewaySchemaLoadOrUpdateCallback } from '@apollo/server-gateway-interface';
import type { GraphQLSchema } from 'graphql';
import type { Logger } from '@shop/service-kit';
import type { GatewayContext } from './context.js';
import { routeSubgraphs, unusedOverrides, type SubgraphOverrides } from './subgraph-routing.js';
import type { SupergraphSource } from './supergraph-source.js';
import { planPersistedDocuments } from './plan-warmup.js';
import { sha256Hex } from './sha256.js';
import { boundedCache, objectEntryBytes } from './memory-budget.js';
import type { PersistedDocuments } from './persisted-documents.js';
import { authorizationRules, type AuthorizationRules } from './authorization/rules.js';
import { SUPPORTED_SUPERGRAPH_FEATURES, withoutAuthorizationPurpose } from './authorization/supergraph-features.js';
import { overrideDecision, progressiveOverride } from './override/progressive-override.js';
import { withDeferDirective } from './incremental/defer-directive.js';

/** The supergraph being served: what `/ready` and the logs say about it. */
export interface ServedSupergraph {
  /** SHA-256 of the supergraph's text, in hex: what `sha256sum supergraph.graphql` prints. */
  hash: string;
  location: string;
  loadedAt: Date;
  /** Each subgraph's endpoint, by name, as routed. */
  subgraphs: ReadonlyMap<string, string>;
}

export interface ReloadableGatewayOptions {
  source: SupergraphSource;
  overrides: SubgraphOverrides;
  /** The data source of one subgraph at its routed endpoint. */
  dataSource: (name: string, url: string) => GraphQLDataSource<GatewayContext>;
  logger: Logger;
  /** A signal that reloads the supergraph at once (SIGHUP for the service); none in tests that share a process. */
  reloadSignal?: NodeJS.Signals;
  /** Documents planned on each supergraph before it is served (the SDK's persisted documents). */
  planAhead?: PersistedDocuments;
  /** The heap each supergraph's query plans may take (QUERY_PLAN_CACHE_MB); @apollo/gateway's 30 MiB by its estimate otherwise. */
  queryPlanCacheBytes?: number;
  /** Wraps each supergraph's executor (declared authorization runs each request as it decided). */
  wrapExecutor?: (execute: GatewayExecutor) => GatewayExecutor;
  /** Why a supergraph that declares authorization cannot be served (no keys to verify tokens with); undefined when it can. */
  authorizationUnavailable?: string;
  /** The named `@override` labels on for every request (OVERRIDE_LABELS); `percent(x)` labels are decided per shopper. */
  overrideLabels?: readonly string[];
}

/**
 * What one served supergraph is made of, for what runs beside @apollo/gateway's executor on it
 * (subscriptions: gateway/src/subscriptions/), found by the schema Apollo Server validated a
 * request against.
 */
export interface FederatedSupergraph {
  /**
   * The supergraph (validated when it was loaded), with the features the gateway enforces itself:
   * made again at the first call and kept, so a gateway nothing asks for it holds no second copy.
   */
  supergraph: () => Supergraph;
  /** Each subgraph's data source, by name: the very ones @apollo/gateway calls. */
  dataSources: ReadonlyMap<string, GraphQLDataSource<GatewayContext>>;
  /** Each subgraph's endpoint, by name, as routed. */
  subgraphs: ReadonlyMap<string, string>;
  /** Aborted once this supergraph is served no more: its reason is `'reloaded'` (another replaced it) or `'stopped'`. */
  retired: AbortSignal;
  /** The `@override` labels on for a request, as its queries are planned (override/progressive-override.ts). */
  overrideLabelsOn: (context: GatewayContext) => readonly string[];
}

/** Why a supergraph is served no more: the `reason` of its FederatedSupergraph's `retired` signal. */
export type SupergraphRetirement = 'reloaded' | 'stopped';

interface Loaded extends ServedSupergraph {
  gateway: ApolloGateway;
  retirement: AbortController;
}

/**
 * The gateway Apollo Server runs: @apollo/gateway on one supergraph at a time, swapped whole
 * when the supergraph changes. Each supergraph gets its own ApolloGateway (schema, planner,
 * plan cache), and a request runs on the one whose schema Apollo Server validated it against,
 * so a request in flight finishes on the old supergraph while new ones get the new one. (One
 * ApolloGateway updated in place swaps its planner and schema under requests that are already
 * past validation.) A supergraph that does not parse or validate is refused and changes nothing.
 */
export class ReloadableGateway implements GatewayInterface {
  private readonly listeners = new Set<GatewaySchemaLoadOrUpdateCallback>();
  private readonly executors = new WeakMap<GraphQLSchema, GatewayExecutor>();
  private readonly rules = new WeakMap<GraphQLSchema, AuthorizationRules>();
  private readonly federations = new WeakMap<GraphQLSchema, FederatedSupergraph>();
  private current: Loaded | undefined;
  private apollo: Parameters<GatewayInterface['load']>[0] | undefined;
  private reloading: Promise<void> | undefined;
  private reloadAgain = false;
  /** The last text refused, so a source that keeps offering it (a poll's 304) is not refused, and logged, again. */
  private refusedHash: string | undefined;
  private sourceFailing = false;
  private stopped = false;
  private stopWatching: (() => void) | undefined;

  constructor(private readonly options: ReloadableGatewayOptions) {}

  /** The authorization the supergraph behind `schema` declares; undefined when it declares none. */
  authorizationRulesOf(schema: GraphQLSchema): AuthorizationRules | undefined {
    return this.rules.get(schema);
  }

  /** The supergraph behind `schema` (one this gateway served, or serves); undefined for any other schema. */
  federationOf(schema: GraphQLSchema): FederatedSupergraph | undefined {
    return this.federations.get(schema);
  }

  /** What is served now; undefined before the first load. */
  served(): ServedSupergraph | undefined {
    return this.current;
  }

  onSchemaLoadOrUpdate(callback: GatewaySchemaLoadOrUpdateCallback) {
    this.listeners.add(callback);
    return () => {
      this.listeners.delete(callback);
    };
  }

  async load(options: Parameters<GatewayInterface['load']>[0]) {
    this.apollo = options;
    // Watching starts before the first read, so a change made while it loads is not missed:
    // reload() holds it until the first supergraph is served.
    this.watch();
    // The first supergraph must load: a gateway with none has nothing to serve.
    await this.swapTo(await this.options.source.read());
    if (this.takeReloadRequest()) void this.reload();
    const executor: GatewayExecutor = (requestContext) => {
      const execute = this.executors.get(requestContext.schema);
      // Apollo Server hands back the schema it was given; anything else is a bug to see, not to paper over.
      if (!execute) throw new Error('a request arrived on a schema no loaded supergraph made');
      return execute(requestContext);
    };
    return { executor };
  }

  /**
   * Reads the source again and serves what it holds if it changed and is valid. Calls while one
   * runs (or before the first supergraph is served) coalesce into one more run, so the last
   * change is always the one served.
   */
  reload(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.reloading || !this.current) {
      this.reloadAgain = true;
      return this.reloading ?? Promise.resolve();
    }
    this.reloading = (async () => {
      try {
        do await this.reloadOnce();
        while (this.takeReloadRequest());
      } finally {
        this.reloading = undefined;
      }
    })();
    return this.reloading;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopWatching?.();
    await this.reloading;
    this.current?.retirement.abort('stopped' satisfies SupergraphRetirement);
    await this.current?.gateway.stop();
  }

  /** Whether a reload was asked for while one ran; asking again starts afresh. */
  private takeReloadRequest(): boolean {
    const asked = this.reloadAgain;
    this.reloadAgain = false;
    return asked;
  }

  private watch(): void {
    const { source, logger, reloadSignal } = this.options;
    const onSignal = () => void this.reload();
    if (reloadSignal) process.on(reloadSignal, onSignal);
    const cannotWatch = (error: unknown) =>
      logger.error({ err: error, location: source.location }, `cannot watch the supergraph for changes: it reloads only on ${reloadSignal ?? 'request'}`);
    let unwatch = () => {};
    try {
      unwatch = source.watch(() => void this.reload(), cannotWatch);
    } catch (error) {
      // Out of inotify watches, say: serving goes on without live changes.
      cannotWatch(error);
    }
    this.stopWatching = () => {
      unwatch();
      if (reloadSignal) process.off(reloadSignal, onSignal);
    };
  }

  private async reloadOnce(): Promise<void> {
    const { source, logger } = this.options;
    let text: string;
    try {
      text = await source.read();
    } catch (error) {
      // Logged when the source starts failing and when it recovers, not at every poll.
      if (!this.sourceFailing) logger.error({ err: error, location: source.location, served: this.current?.hash }, 'supergraph unreadable: still serving the one loaded');
      this.sourceFailing = true;
      return;
    }
    if (this.sourceFailing) logger.info({ location: source.location }, 'supergraph readable again');
    this.sourceFailing = false;
    const hash = sha256Hex(text);
    if (hash === this.current?.hash || hash === this.refusedHash) return;
    try {
      await this.swapTo(text, hash);
      this.refusedHash = undefined;
    } catch (error) {
      this.refusedHash = hash;
      logger.error(
        { location: source.location, refused: hash, served: this.current?.hash, reason: error instanceof Error ? error.message : String(error) },
        'supergraph refused: still serving the one loaded',
      );
    }
  }

  /** Validates `text` as a supergraph, plans on it, then makes it the one new requests get. */
  private async swapTo(text: string, hash = sha256Hex(text)): Promise<void> {
    const { source, overrides, logger } = this.options;
    // Validated here, in full, whatever NODE_ENV: the supergraph itself, then every subgraph
    // extracted from it (subgraphs() extracts, and so validates). One that fails changes nothing.
    const supergraph = Supergraph.build(text, { validateSupergraph: true, supportedFeatures: SUPPORTED_SUPERGRAPH_FEATURES });
    supergraph.subgraphs();
    const rules = authorizationRules(supergraph.schema);
    if (rules && this.options.authorizationUnavailable) throw new Error(`it declares authorization (@authenticated, @requiresScopes or @policy), but ${this.options.authorizationUnavailable}`);
    const subgraphs = routeSubgraphs(supergraph.subgraphsMetadata(), overrides);
    const dataSources = new Map<string, GraphQLDataSource<GatewayContext>>();
    const gateway = new ApolloGateway({
      supergraphSdl: withoutAuthorizationPurpose(text),
      validateSupergraph: false,
      // Its own "loaded" line says less than ours below; its warnings and errors still come through.
      logger: logger.child({ component: '@apollo/gateway' }, { level: 'warn' }),
      buildService: ({ name }) => {
        const dataSource = this.options.dataSource(name, subgraphs.get(name)!);
        dataSources.set(name, dataSource);
        return dataSource;
      },
      // Its own plan cache sizes a plan by its JSON, a fifth of what it takes on the heap (memory-budget.ts).
      ...(this.options.queryPlanCacheBytes ? { queryPlannerConfig: { cache: boundedCache<QueryPlan>(this.options.queryPlanCacheBytes, objectEntryBytes) } } : {}),
    });
    const { schema: gatewaySchema, executor } = await gateway.load(this.apollo);
    // The schema requests are validated against: @apollo/gateway's, with @defer declared (the gateway runs deferred fragments itself).
    const schema = withDeferDirective(gatewaySchema);
    const planned = this.options.planAhead ? await planPersistedDocuments(gateway, this.options.planAhead, logger) : undefined;
    // Innermost: it plans with the request's override labels, under a key of the document authorization leaves to plan.
    const overrideLabels = overrideDecision(supergraph.schema, this.options.overrideLabels ?? []);
    const labelled = progressiveOverride(gateway, { decision: overrideLabels, logger })(executor);
    this.executors.set(schema, this.options.wrapExecutor ? this.options.wrapExecutor(labelled) : labelled);
    if (rules) this.rules.set(schema, rules);
    const retirement = new AbortController();
    let parsed: Supergraph | undefined;
    const supergraphOf = () => (parsed ??= Supergraph.build(text, { validateSupergraph: false, supportedFeatures: SUPPORTED_SUPERGRAPH_FEATURES }));
    this.federations.set(schema, {
      supergraph: supergraphOf,
      dataSources,
      subgraphs,
      retired: retirement.signal,
      overrideLabelsOn: overrideLabels.labelsOn,
    });
    try {
      // Apollo Server derives what it needs from the schema here, and may refuse it.
      for (const listener of this.listeners) listener({ apiSchema: schema, coreSupergraphSdl: text });
    } catch (error) {
      await gateway.stop();
      throw error;
    }
    const previous = this.current;
    this.current = { gateway, retirement, hash, location: source.location, loadedAt: new Date(), subgraphs };
    logger.info(
      { supergraph: { hash: this.current.hash, location: source.location, subgraphs: Object.fromEntries(subgraphs) }, replaced: previous?.hash, plannedAhead: planned },
      previous ? 'supergraph reloaded' : 'serving supergraph',
    );
    const unused = unusedOverrides(supergraph.subgraphsMetadata(), overrides);
    if (unused.length > 0) logger.warn({ variables: unused }, 'subgraph URL overrides name no subgraph of this supergraph');
    // Stopping it releases only what a supergraph manager holds, which a static text has none of;
    // requests still running on it finish, and hold it until they do. What streams on it (a
    // subscription) ends, so its client subscribes again on this one.
    previous?.retirement.abort('reloaded' satisfies SupergraphRetirement);
    await previous?.gateway.stop();
  }
}
