// Light on purpose (exported as '@shop/service-kit/run'): each service's index.ts starts here, so
// that tracing, when configured, starts before any module it instruments is imported.
import { configOrExit } from './config.js';
import type { BaseServiceConfig, DatabaseServiceConfig, GatewayServiceDefinition, ServiceName, SubgraphServiceDefinition } from './service-definition.js';
import { startTracing } from './tracing.js';

/** Tracing as the environment configures it; bad OTEL_* settings stop the process like any bad setting. */
const tracingOrExit = (service: ServiceName) => configOrExit(() => startTracing(service, process.env));

/** A subgraph process: tracing, then config -> db -> migrate -> seed (development) -> listen. */
export async function runSubgraph<Config extends DatabaseServiceConfig>(definition: SubgraphServiceDefinition<Config>): Promise<void> {
  const tracing = await tracingOrExit(definition.name);
  const boot = await import('./boot.js');
  await boot.runSubgraph(definition, tracing);
}

/** The gateway process: tracing, then config -> listen. */
export async function runGateway<Config extends BaseServiceConfig>(definition: GatewayServiceDefinition<Config>): Promise<void> {
  const tracing = await tracingOrExit(definition.name);
  const boot = await import('./boot.js');
  await boot.runGateway(definition, tracing);
}
