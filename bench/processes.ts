import { answersGraphQL, startProcess } from '../scripts/processes.js';

export { killAll } from '../scripts/processes.js';

/** One server the bench started: its own process, so its CPU time and memory are its own. */
export interface Server {
  name: string;
  url: string;
  pid: number;
  logFile: string;
  stop(): Promise<void>;
}

/**
 * Starts `node <args>` with its output in `logFile` (not piped through the bench: at thousands of
 * requests a second a pipe would cost the bench CPU and memory), and waits until `url` answers a
 * trivial query, so every kind of gateway (and a subgraph) is ready by the same test; a server
 * that is no GraphQL server (the collector) brings its own `ready` probe.
 */
export async function startServer(
  name: string,
  args: string[],
  /** Set over the bench's own environment; `undefined` removes a variable. */
  env: Record<string, string | undefined>,
  options: { cwd: string; url: string; logFile: string; ready?: () => Promise<boolean> },
): Promise<Server> {
  const server = startProcess(args, { env, cwd: options.cwd, output: { file: options.logFile } });
  const stop = async () => {
    await server.stop(15_000);
  };
  try {
    await server.waitUntil(options.ready ?? answersGraphQL(options.url));
  } catch (error) {
    await stop();
    throw new Error(`${name} did not start (log: ${options.logFile}): ${(error as Error).message}`, { cause: error });
  }
  return { name, url: options.url, pid: server.pid, logFile: options.logFile, stop };
}
