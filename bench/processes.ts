import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';

/** One server the bench started: its own process, so its CPU time and memory are its own. */
export interface Server {
  name: string;
  url: string;
  pid: number;
  logFile: string;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();

/**
 * Starts `node <args>` with its output in `logFile` (not piped through the bench: at thousands of
 * requests a second a pipe would cost the bench CPU and memory), and waits until `url` answers a
 * trivial query, so every kind of gateway (and a subgraph) is ready by the same test.
 */
export async function startServer(
  name: string,
  args: string[],
  env: Record<string, string>,
  options: { cwd: string; url: string; logFile: string },
): Promise<Server> {
  const out = openSync(options.logFile, 'a');
  const child = spawn(process.execPath, args, { cwd: options.cwd, env: { ...process.env, ...env }, stdio: ['ignore', out, out] });
  closeSync(out);
  running.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => running.delete(child));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitUntilAnswering(options.url, () => child.exitCode !== null || child.signalCode !== null);
  } catch (error) {
    await stop();
    throw new Error(`${name} did not start (log: ${options.logFile}): ${(error as Error).message}`, { cause: error });
  }
  return { name, url: options.url, pid: child.pid!, logFile: options.logFile, stop };
}

async function waitUntilAnswering(url: string, hasExited: () => boolean, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (hasExited()) throw new Error('exited before it answered');
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
        signal: AbortSignal.timeout(2_000),
      });
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((done) => setTimeout(done, 250));
  }
  throw new Error(`no answer within ${timeoutMs / 1000} s`);
}

/**
 * Last resort on an error or Ctrl-C: SIGKILL every child still running (only the bench's own,
 * by their handles). The normal path stops them gracefully with `stop`.
 */
export function killAll(): void {
  for (const child of running) child.kill('SIGKILL');
}
