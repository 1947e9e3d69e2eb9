import { join } from 'node:path';
import { freePort } from '../scripts/processes.js';
import { ROOT } from '../scripts/root.js';
import type { ExportTally } from './otlp-collector.js';
import { cpuMs } from './proc-stats.js';
import { startServer, type Server } from './processes.js';

/** What a traced target exported during one measured run, and what receiving it cost the collector. */
export interface Exported extends ExportTally {
  /** The collector's CPU (user + system) per response of the run: what the spans took from the shared cores besides the gateway's own. */
  collectorCpuMsPerRequest: number;
}

export interface Collector extends Server {
  /** Starts counting what `target` exports; the returned function gives what it exported since. */
  countFrom(target: string): Promise<(responses: number) => Promise<Exported>>;
}

const NOTHING: ExportTally = { exports: 0, bytes: 0, spans: 0 };

/** What arrived between two readings of one target's tally (no reading yet counts as nothing). */
export function tallyBetween(before: ExportTally | undefined, after: ExportTally | undefined): ExportTally {
  const [from, to] = [before ?? NOTHING, after ?? NOTHING];
  return { exports: to.exports - from.exports, bytes: to.bytes - from.bytes, spans: to.spans - from.spans };
}

/**
 * Starts bench/otlp-collector.ts as its own process on a free loopback port (Node strips its
 * types, as for the stock gateway), its log in `logDir`.
 */
export async function startCollector(logDir: string, env: Record<string, string | undefined>): Promise<Collector> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const read = async () => {
    const response = await fetch(`${url}/tallies`, { signal: AbortSignal.timeout(5_000) });
    if (!response.ok) throw new Error(`collector: GET /tallies answered ${response.status}`);
    return (await response.json()) as Record<string, ExportTally | undefined>;
  };
  const server = await startServer('collector', [join(ROOT, 'bench/otlp-collector.ts')], { ...env, PORT: String(port) }, {
    cwd: ROOT,
    url,
    logFile: join(logDir, 'collector.log'),
    ready: () => read().then(() => true),
  });
  return {
    ...server,
    async countFrom(target) {
      const before = (await read())[target];
      const cpuBefore = cpuMs(server.pid);
      return async (responses) => ({
        ...tallyBetween(before, (await read())[target]),
        collectorCpuMsPerRequest: (cpuMs(server.pid) - cpuBefore) / Math.max(responses, 1),
      });
    },
  };
}
