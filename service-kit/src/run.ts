// Light on purpose (exported as '@shop/service-kit/run'): each service's index.ts starts here, so
// that tracing, when configured, starts before any module it instruments is imported.
import { ConfigError } from './config.js';
import type { BaseServiceConfig, DatabaseServiceConfig, GatewayServiceDefinition, ServiceDefinition, SubgraphServiceDefinition } from './service-definition.js';
import { startTracing } from './tracing.js';

/**
 * Tracing as the environment configures it. Bad OTEL_* settings stop the process before anything
 * starts, in one message with every other problem of its configuration (read only then: reading it
 * loads the modules tracing must see first).
 */
async function tracingOrExit<Config extends BaseServiceConfig>(definition: ServiceDefinition<Config>) {
  try {
    return await startTracing(definition.name, process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const others = await definition.loadConfig(process.env).then(
      () => [],
      (problem: unknown) => (problem instanceof ConfigError ? problem.problems : []),
    );
    process.stderr.write(`${new ConfigError([...error.problems, ...others]).message}\n`);
    process.exit(1);
  }
}

/** A subgraph process: tracing, then config -> db -> migrate -> seed (development) -> listen. */
export async function runSubgraph<Config extends DatabaseServiceConfig>(definition: SubgraphServiceDefinition<Config>): Promise<void> {
  const tracing = await tracingOrExit(definition);
  const { bootSubgraph } = await import('./boot.js');
  await bootSubgraph(definition, tracing);
}

/** The gateway process: tracing, then config -> listen. */
export async function runGateway<Config extends BaseServiceConfig>(definition: GatewayServiceDefinition<Config>): Promise<void> {
  const tracing = await tracingOrExit(definition);
  const { bootGateway } = await import('./boot.js');
  await bootGateway(definition, tracing);
}
